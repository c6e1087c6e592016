package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.security.sasl.SaslException;
import org.sasldb4j.store.secret.Wipe;

/**
 * One login through a running daemon's Dovecot auth socket, spoken exactly as Postfix's smtpd
 * speaks it: {@code VERSION 1 0} and {@code CPID}, the handshake up to {@code DONE}, then
 * {@code AUTH} with {@code service=}, {@code nologin}, {@code lip=}, {@code rip=} and the
 * initial response, {@code CONT} for each challenge, until {@code OK}, {@code FAIL} or the
 * connection closing (the daemon's temporary failure).
 *
 * <p>The daemon never says why a login failed (the answer goes to SMTP clients, and would tell
 * an unknown user from a wrong password), so neither can this: its log does.
 */
final class SocketLogin {
    /** Longer than the daemon's default failure delay (2 s) and Postfix's own 10 s. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Answers longer than this are not from a Dovecot auth server. */
    private static final int MAX_LINE = 64 * 1024;
    /** A mechanism that needs more round trips than this is not one the daemon offers. */
    private static final int MAX_STEPS = 8;
    static final String NO_REASON = "the daemon answers every failure alike; its log says why";

    private SocketLogin() {}

    /**
     * Runs the login.
     *
     * @param service the {@code service=} (Postfix's {@code smtpd_sasl_service}, smtp)
     * @param remoteIp the {@code rip=}, the SMTP client's address the daemon logs and throttles by
     */
    static LoginVerdict run(Path socket, LoginClient client, String service, String remoteIp, Duration timeout) {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            return LoginVerdict.unavailable(client.user, "cannot make a UNIX socket: " + e.getMessage());
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        try (ch) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                return LoginVerdict.unavailable(client.user, "cannot connect to " + socket + ": " + e.getMessage()
                        + "; is sasldb-authd running with --dovecot-socket " + socket
                        + ", and may this user open it (its group is --socket-group)?");
            }
            // The guard closes the channel, which ends a blocked read: a hung daemon cannot hang the tester.
            CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
                if (ch.isOpen()) {
                    timedOut.set(true);
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // closing is all we wanted
                    }
                }
            });
            return exchange(ch, socket, client, service, remoteIp);
        } catch (IOException e) {
            if (timedOut.get()) {
                return LoginVerdict.temporary(client.user, "no answer from the daemon within " + timeout.toSeconds()
                        + " s (Postfix gives up after 10 s: 454 4.7.0)");
            }
            return LoginVerdict.temporary(client.user, "the connection to the daemon failed: " + e.getMessage());
        }
    }

    private static LoginVerdict exchange(SocketChannel ch, Path socket, LoginClient client, String service,
            String remoteIp) throws IOException {
        send(ch, "VERSION\t1\t0\nCPID\t" + ProcessHandle.current().pid() + "\n");
        LineReader in = new LineReader(ch, MAX_LINE);
        List<String> mechanisms = new ArrayList<>();
        boolean first = true;
        while (true) {
            List<String> f = read(in);
            if (f == null) {
                return LoginVerdict.unavailable(client.user, socket + " closed the connection during the handshake;"
                        + " is it sasldb-authd's Dovecot socket?");
            }
            if (first && (!f.get(0).equals("VERSION") || f.size() < 2 || !f.get(1).equals("1"))) {
                return LoginVerdict.unavailable(client.user, socket + " does not speak the Dovecot auth protocol 1;"
                        + " give sasldb-authd's --dovecot-socket");
            }
            first = false;
            if (f.get(0).equals("MECH") && f.size() > 1) {
                mechanisms.add(f.get(1));
            } else if (f.get(0).equals("DONE")) {
                break;
            }
        }
        String mech = client.mechanism();
        if (!mechanisms.contains(mech)) {
            return LoginVerdict.refused(client.user, "the daemon does not offer " + mech + " (it offers "
                    + String.join(" ", mechanisms) + "; see its --mechanisms)");
        }
        byte[] initial;
        try {
            initial = client.initialResponse();
        } catch (SaslException e) {
            return LoginVerdict.refused(client.user, e.getMessage());
        }
        StringBuilder auth = new StringBuilder("AUTH\t1\t").append(mech).append("\tservice=")
                .append(DovecotCodec.escape(service)).append("\tnologin\tlip=127.0.0.1\trip=")
                .append(DovecotCodec.escape(remoteIp));
        if (initial.length > 0) {
            auth.append("\tresp=").append(DovecotCodec.encodeBase64(initial));
            Wipe.bytes(initial);
        }
        send(ch, auth.append('\n').toString());
        for (int steps = 0; ; ) {
            List<String> f = read(in);
            if (f == null) {
                return LoginVerdict.temporary(client.user, "the daemon closed the connection: its temporary failure"
                        + " (Postfix answers 454 4.7.0); " + NO_REASON);
            }
            if (f.size() < 2 || !f.get(1).equals("1")) {
                continue; // not our request, as Postfix skips it
            }
            switch (f.get(0)) {
                case "OK":
                    String user = field(f, "user=");
                    if (!client.serverVerified()) {
                        return LoginVerdict.refused(user, "the daemon said OK without proving that it knows the"
                                + " password (" + mech + " server signature missing)");
                    }
                    return LoginVerdict.ok(user == null ? client.user : user, List.of());
                case "FAIL":
                    String said = field(f, "reason=");
                    return LoginVerdict.refused(client.user, NO_REASON
                            + (said == null || said.equals(DovecotConnection.FAIL_REASON) ? "" : " (it said: "
                            + AuthLog.safe(said) + ")"));
                case "CONT":
                    if (++steps > MAX_STEPS) {
                        return LoginVerdict.refused(client.user, "the daemon asked more than " + MAX_STEPS + " questions");
                    }
                    byte[] challenge = DovecotCodec.decodeBase64(f.size() > 2 ? f.get(2) : "");
                    if (challenge == null) {
                        return LoginVerdict.refused(client.user, "the daemon sent a challenge that is not base64");
                    }
                    byte[] answer;
                    try {
                        answer = client.evaluate(challenge);
                    } catch (SaslException e) {
                        return LoginVerdict.refused(client.user, e.getMessage());
                    }
                    send(ch, "CONT\t1\t" + DovecotCodec.encodeBase64(answer) + "\n");
                    Wipe.bytes(answer);
                    break;
                default:
                    break;
            }
        }
    }

    private static List<String> read(LineReader in) throws IOException {
        byte[] line;
        try {
            line = in.readLine();
        } catch (LineReader.LineTooLongException e) {
            throw new IOException("the daemon sent a line longer than " + MAX_LINE + " bytes");
        }
        if (line == null) {
            return null;
        }
        try {
            return DovecotCodec.split(line);
        } catch (DovecotCodec.ProtocolException e) {
            throw new IOException("the daemon sent a broken line: " + e.getMessage());
        }
    }

    /** The value of the {@code name=} parameter, or null. */
    private static String field(List<String> f, String name) {
        for (int i = 2; i < f.size(); i++) {
            if (f.get(i).startsWith(name)) {
                return f.get(i).substring(name.length());
            }
        }
        return null;
    }

    private static void send(SocketChannel ch, String lines) throws IOException {
        byte[] b = lines.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.wrap(b);
        while (bb.hasRemaining()) {
            ch.write(bb);
        }
        Wipe.bytes(b);
    }
}
