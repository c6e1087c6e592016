package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.sasldb4j.store.secret.Wipe;

/**
 * One client connection speaking the Dovecot auth-client protocol, as Postfix's
 * {@code xsasl_dovecot_server.c} uses it.
 *
 * <p>The handshake ({@code VERSION}, one {@code MECH} line per mechanism, then {@code SPID},
 * {@code CUID}, {@code COOKIE}, {@code DONE}) is sent at once on accept, as Dovecot 2.3 does;
 * MECH lines must precede SPID or Postfix takes the socket for an auth-master one. The client
 * must then send {@code VERSION 1.x}. {@code AUTH} starts a request, {@code CONT} continues
 * one; replies are {@code CONT} (with a third field even when empty), {@code OK} with
 * {@code user=}, or {@code FAIL}. Several requests may be open at once, up to the pending limit;
 * open requests expire after the request timeout.
 *
 * <p><b>Abandoned requests cost nothing lasting.</b> Postfix never tells the server that an SMTP
 * client gave up (answered {@code *}, hung up, hit a limit): it just starts the next exchange with
 * a higher id. An smtpd process serves one SMTP session at a time and waits for each answer, so
 * on a Postfix connection every older open request is abandoned by the time a new one starts.
 * When a new {@code AUTH} finds the pending limit reached, the oldest open request is therefore
 * failed and forgotten; a new request is never refused because of old ones.
 *
 * <p><b>Temporary failures close the connection.</b> Postfix answers every {@code FAIL} with
 * {@code 535}, whatever its {@code code=}; only a lost connection becomes {@code 454 4.7.0
 * Temporary authentication failure}, and Postfix reconnects for its next request. So when the
 * store cannot be read, the hashing queue is full or anything unexpected happens, no
 * {@code FAIL} is sent: the connection is closed.
 *
 * <p>Replies go through an {@link Outbox}: written by this connection's thread, or (delayed
 * failures, expiry) queued by the timer and written by a writer thread, never by the timer.
 *
 * <p>A broken line (not UTF-8, bad escape, bad id, duplicate id, over-long) closes the
 * connection, as Dovecot disconnects broken clients. Unknown commands and parameters are
 * ignored.
 *
 * <p>Failures do not tell an unknown user from a wrong password: every definite failure is the
 * same {@code FAIL} line, sent after the same delay.
 */
final class DovecotConnection implements Runnable {
    static final String FAIL_REASON = "authentication failure";
    private static final Logger LOG = Logger.getLogger("org.sasldb4j.authd.dovecot");
    private static final byte[] EMPTY = new byte[0];

    private final ByteChannel channel;
    private final DaemonContext ctx;
    private final DaemonSettings settings;
    private final Map<String, Mechanism> mechanisms = new LinkedHashMap<>();
    private final long cuid;
    private final Watchdog.Guard readGuard;
    private final Watchdog.Guard writeGuard;
    private final Map<Long, AuthRequest> pending = new ConcurrentHashMap<>();
    private final Outbox outbox;
    private volatile boolean closed;
    private boolean versionSeen;
    /** Requests started on this connection: their order, for dropping the oldest. */
    private long requests;
    private String clientPid = "";

    DovecotConnection(ByteChannel channel, DaemonContext ctx) {
        this.channel = channel;
        this.ctx = ctx;
        this.settings = ctx.settings();
        for (Mechanism m : settings.mechanisms()) {
            mechanisms.put(m.name(), m);
        }
        this.cuid = ctx.nextConnectionId();
        this.readGuard = ctx.watchdog().guard(channel);
        this.writeGuard = ctx.watchdog().guard(channel);
        this.outbox = new Outbox(channel, writeGuard, settings.ioTimeout(), ctx.writers(), MAX_QUEUED_BYTES, () -> {
            closed = true;
            closeChannel();
        });
    }

    /** Replies that may wait behind a write in progress: far more than a reading client ever leaves. */
    static final int MAX_QUEUED_BYTES = 256 * 1024;

    @Override
    public void run() {
        ctx.dovecotConnections(1);
        try {
            sendHandshake();
            LineReader reader = new LineReader(channel, settings.maxLineLength());
            while (!closed) {
                readGuard.arm(settings.idleTimeout());
                byte[] line;
                try {
                    line = reader.readLine();
                } finally {
                    readGuard.disarm();
                }
                if (line == null) {
                    break;
                }
                handle(line);
            }
        } catch (LineReader.LineTooLongException e) {
            LOG.warning(() -> "connection " + cuid + ": " + e.getMessage() + "; closing");
        } catch (DovecotCodec.ProtocolException e) {
            LOG.warning(() -> "connection " + cuid + " (client pid " + AuthLog.safe(clientPid) + "): protocol error: "
                    + e.getMessage() + "; closing");
        } catch (ClosedChannelException e) {
            if (readGuard.fired() || writeGuard.fired()) {
                LOG.fine(() -> "connection " + cuid + ": timed out; closed");
            }
        } catch (IOException e) {
            LOG.fine(() -> "connection " + cuid + ": " + e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "connection " + cuid + ": unexpected " + Failures.describe(e) + "; closing", e);
        } finally {
            shutdown();
            ctx.dovecotConnections(-1);
        }
    }

    private void sendHandshake() {
        StringBuilder b = new StringBuilder(256);
        // Minor 2 as Dovecot 2.3: no channel-binding flags, no escaping changes a client must know.
        b.append("VERSION\t1\t2\n");
        for (Mechanism m : settings.mechanisms()) {
            b.append(m.mechLine()).append('\n');
        }
        b.append("SPID\t").append(DaemonContext.pid()).append('\n');
        b.append("CUID\t").append(cuid).append('\n');
        b.append("COOKIE\t").append(ctx.cookie()).append('\n');
        b.append("DONE\n");
        write(b.toString());
    }

    private void handle(byte[] line) throws DovecotCodec.ProtocolException {
        List<String> f = DovecotCodec.split(line);
        String cmd = f.get(0);
        if (!versionSeen) {
            if (!cmd.equals("VERSION") || f.size() < 3 || !f.get(1).equals("1")) {
                throw new DovecotCodec.ProtocolException("client did not start with VERSION 1 (incompatible client?)");
            }
            versionSeen = true;
            return;
        }
        switch (cmd) {
            case "AUTH" -> auth(f);
            case "CONT" -> cont(f);
            case "CPID" -> clientPid = f.size() > 1 ? f.get(1) : "";
            default -> LOG.finer(() -> "connection " + cuid + ": ignoring command " + AuthLog.safe(cmd));
        }
    }

    private void auth(List<String> f) throws DovecotCodec.ProtocolException {
        long arrived = ctx.now();
        if (f.size() < 3) {
            throw new DovecotCodec.ProtocolException("AUTH without id and mechanism");
        }
        long id = DovecotCodec.parseId(f.get(1));
        if (pending.containsKey(id)) {
            throw new DovecotCodec.ProtocolException("duplicate request id " + id);
        }
        String service = "smtp";
        String rip = "";
        String resp = null;
        boolean finalRespOk = false;
        for (int i = 3; i < f.size(); i++) {
            String p = f.get(i);
            if (p.startsWith("resp=")) {
                // Dovecot: resp= must be last, everything after it is ignored.
                resp = p.substring(5);
                break;
            } else if (p.startsWith("service=")) {
                service = p.substring(8);
            } else if (p.startsWith("rip=")) {
                rip = p.substring(4);
            } else if (p.equals("final-resp-ok")) {
                finalRespOk = true;
            }
        }
        AuthContext actx = new AuthContext("dovecot", service, rip);
        String mechName = f.get(2).toUpperCase(Locale.ROOT);
        Mechanism mech = mechanisms.get(mechName);
        if (mech == null) {
            ended(LoginEvent.ended(actx, mechName, null, LoginResult.FAIL, FailureReason.UNSUPPORTED_MECHANISM));
            write("FAIL\t" + id + "\treason=Unsupported authentication mechanism");
            return;
        }
        while (pending.size() >= settings.maxPending()) {
            evictOldest();
        }
        byte[] initial = null;
        if (resp != null) {
            initial = DovecotCodec.decodeBase64(resp);
            if (initial == null) {
                ended(LoginEvent.ended(actx, mechName, null, LoginResult.FAIL, FailureReason.MALFORMED_REQUEST));
                write("FAIL\t" + id + "\treason=Invalid base64 data in initial response");
                return;
            }
        }
        SaslServer server;
        try {
            server = ctx.backend().mechanisms().create(mech.name(), actx);
        } catch (SaslException | RuntimeException e) {
            LOG.warning(() -> "cannot start " + mech.name() + ": " + Failures.describe(e));
            ended(LoginEvent.temporary(actx, mech.name(), null, Failures.describe(e)));
            Wipe.bytes(initial);
            abortForTemporaryFailure();
            return;
        }
        AuthRequest req = new AuthRequest(id, mech, actx, server, finalRespOk, settings.requestTimeout().toNanos(),
                ++requests);
        req.arrivedNanos = arrived;
        if (initial != null && mech.start() != Mechanism.Start.SERVER_FIRST) {
            step(req, initial);
        } else if (mech.start() == Mechanism.Start.CLIENT_FIRST) {
            Wipe.bytes(initial);
            challenge(req, EMPTY);
        } else {
            Wipe.bytes(initial);
            step(req, EMPTY);
        }
    }

    private void cont(List<String> f) throws DovecotCodec.ProtocolException {
        if (f.size() < 3) {
            throw new DovecotCodec.ProtocolException("CONT without data field");
        }
        long id = DovecotCodec.parseId(f.get(1));
        long arrived = ctx.now();
        AuthRequest req = pending.remove(id);
        if (req == null) {
            // Expired or never started: Dovecot answers so, and the client moves on.
            write("FAIL\t" + id + "\treason=Authentication request timed out");
            return;
        }
        if (req.expired()) {
            expire(req);
            return;
        }
        req.arrivedNanos = arrived;
        byte[] data = DovecotCodec.decodeBase64(f.get(2));
        if (data == null) {
            finish(req);
            ended(LoginEvent.ended(req.context, req.mechanism.name(), req.context.login(), LoginResult.FAIL,
                    FailureReason.MALFORMED_REQUEST));
            write("FAIL\t" + id + "\treason=Invalid base64 data in continued response");
            return;
        }
        if (req.awaitingFinalAck) {
            Wipe.bytes(data);
            succeed(req, null);
        } else {
            step(req, data);
        }
    }

    /** Feeds one client message to the mechanism and answers with its outcome. */
    private void step(AuthRequest req, byte[] data) {
        boolean verifies = req.sniffer.observe(data);
        if (req.sniffer.login() != null) {
            req.context.login(req.sniffer.login());
        }
        WorkLimiter.Lease lease = null;
        byte[] challenge;
        try {
            if (verifies && ctx.limiter() != null) {
                lease = ctx.limiter().acquire();
            }
            challenge = req.server.evaluateResponse(data);
        } catch (TemporaryFailureException e) {
            fail(req, true, e);
            return;
        } catch (SaslException e) {
            fail(req, Failures.isTemporary(e), e);
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "mechanism " + req.mechanism.name() + " failed: " + Failures.describe(e), e);
            fail(req, true, e);
            return;
        } finally {
            Wipe.bytes(data);
            if (lease != null) {
                lease.close();
            }
        }
        if (req.server.isComplete()) {
            if (challenge != null && challenge.length > 0 && !req.finalRespOk) {
                // SCRAM's server-final message: Postfix cannot take data on OK, so it goes out as a
                // challenge (334) and the client's empty answer completes the login, as Dovecot does.
                req.awaitingFinalAck = true;
                challenge(req, challenge);
            } else {
                succeed(req, challenge);
            }
        } else {
            challenge(req, challenge == null ? EMPTY : challenge);
        }
    }

    private void challenge(AuthRequest req, byte[] challenge) {
        pending.put(req.id, req);
        if (req.expiry == null) {
            try {
                req.expiry = ctx.timer().schedule(() -> expireIfPending(req), settings.requestTimeout().toNanos(),
                        TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // Shutting down: the connection is about to close and dispose the request.
            }
        }
        write("CONT\t" + req.id + "\t" + DovecotCodec.encodeBase64(challenge));
    }

    private void succeed(AuthRequest req, byte[] finalData) {
        String user;
        try {
            user = req.server.getAuthorizationID();
        } catch (RuntimeException e) {
            user = null;
        }
        if (user == null || user.isEmpty()) {
            // Postfix needs user= on OK ("Authentication backend error" otherwise).
            LOG.warning(() -> "mechanism " + req.mechanism.name() + " completed without an authorization id");
            fail(req, true, null);
            return;
        }
        finish(req);
        // Before the event: a success clears the penalty it is asked about.
        long wait = ctx.successWaitNanos(req.arrivedNanos, req.context);
        ended(LoginEvent.ok(req.context, req.mechanism.name(), user));
        StringBuilder b = new StringBuilder(64).append("OK\t").append(req.id).append("\tuser=")
                .append(DovecotCodec.escape(user));
        if (req.finalRespOk && finalData != null && finalData.length > 0) {
            b.append("\tresp=").append(DovecotCodec.encodeBase64(finalData));
        }
        answer(b.toString(), wait);
    }

    private void fail(AuthRequest req, boolean temporary, Throwable cause) {
        finish(req);
        String login = req.context.login();
        // Before the event, which counts this failure: the penalty is that of the failures before it.
        long wait = temporary ? 0 : ctx.failureWaitNanos(req.arrivedNanos, req.context, login);
        ended(temporary
                ? LoginEvent.temporary(req.context, req.mechanism.name(), login, cause == null ? null : Failures.describe(cause))
                : LoginEvent.ended(req.context, req.mechanism.name(), login, LoginResult.FAIL,
                        req.context.diagnosisOr(FailureReason.UNSPECIFIED)));
        if (temporary) {
            if (cause != null) {
                LOG.warning(() -> "temporary failure in " + req.mechanism.name() + ": " + Failures.describe(cause));
            }
            // No delay: the client did nothing wrong, and Postfix's 10 s clock is running.
            abortForTemporaryFailure();
            return;
        }
        answer("FAIL\t" + req.id + "\treason=" + FAIL_REASON, wait);
    }

    /**
     * Writes an answer now, or after {@code waitNanos} from the timer (which only queues it: the
     * wait holds no thread, and a client that does not read holds no timer).
     */
    private void answer(String line, long waitNanos) {
        if (waitNanos <= 0) {
            write(line);
            return;
        }
        try {
            ctx.timer().schedule(() -> post(line), waitNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            write(line);
        }
    }

    /**
     * Answers a temporary failure the only way Postfix reports as one ({@code 454}): by closing
     * the connection instead of sending {@code FAIL}. Other requests open on this connection are
     * dropped with it (a Postfix connection has none that are still wanted).
     */
    private void abortForTemporaryFailure() {
        LOG.info(() -> "connection " + cuid + ": temporary failure; closing the connection so that the client"
                + " reports it as temporary (Postfix: 454 4.7.0) and reconnects");
        closed = true;
        outbox.close();
        closeChannel();
    }

    /** Makes room for a new request: the oldest open one was abandoned (see the class comment). */
    private void evictOldest() {
        AuthRequest oldest = null;
        for (AuthRequest r : pending.values()) {
            if (oldest == null || r.sequence < oldest.sequence) {
                oldest = r;
            }
        }
        if (oldest == null || !pending.remove(oldest.id, oldest)) {
            return;
        }
        AuthRequest r = oldest;
        finish(r);
        ended(LoginEvent.ended(r.context, r.mechanism.name(), r.context.login(), LoginResult.EXPIRED,
                FailureReason.TIMED_OUT));
        LOG.fine(() -> "connection " + cuid + ": " + settings.maxPending() + " requests open; dropped the oldest, "
                + r.id);
        // Postfix skips replies to ids it is not waiting for; a multiplexing client learns the request is over.
        write("FAIL\t" + r.id + "\treason=Authentication request timed out");
    }

    private void expireIfPending(AuthRequest req) {
        if (pending.remove(req.id, req)) {
            finish(req);
            ended(LoginEvent.ended(req.context, req.mechanism.name(), req.context.login(), LoginResult.EXPIRED,
                    FailureReason.TIMED_OUT));
            post("FAIL\t" + req.id + "\treason=Authentication request timed out");
        }
    }

    private void expire(AuthRequest req) {
        finish(req);
        ended(LoginEvent.ended(req.context, req.mechanism.name(), req.context.login(), LoginResult.EXPIRED,
                FailureReason.TIMED_OUT));
        write("FAIL\t" + req.id + "\treason=Authentication request timed out");
    }

    private void ended(LoginEvent event) {
        ctx.logins().finished(event);
    }

    private void finish(AuthRequest req) {
        pending.remove(req.id, req);
        req.dispose();
    }

    /**
     * Writes one or more complete lines from this connection's own thread (which a stalled peer
     * may block, until the write timeout closes the connection).
     */
    private void write(String lines) {
        if (!closed) {
            outbox.send(bytes(lines));
        }
    }

    /** Queues lines from another thread (a timer); never blocks. */
    private void post(String lines) {
        if (!closed) {
            outbox.post(bytes(lines));
        }
    }

    private static byte[] bytes(String lines) {
        return (lines.endsWith("\n") ? lines : lines + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private void shutdown() {
        closed = true;
        outbox.close();
        for (AuthRequest r : pending.values()) {
            if (pending.remove(r.id, r)) {
                r.dispose();
                ended(LoginEvent.ended(r.context, r.mechanism.name(), r.context.login(), LoginResult.ABORTED,
                        FailureReason.CONNECTION_CLOSED));
            }
        }
        readGuard.close();
        writeGuard.close();
        closeChannel();
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            // Already gone.
        }
    }
}
