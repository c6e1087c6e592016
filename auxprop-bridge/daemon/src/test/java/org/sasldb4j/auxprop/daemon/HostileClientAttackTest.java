package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sasldb4j.auxprop.daemon.DovecotClient.b64;
import static org.sasldb4j.auxprop.daemon.DovecotClient.unb64;
import static org.sasldb4j.auxprop.daemon.SaslauthdClient.ask;

import com.ongres.scram.client.ScramClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretSet;

/**
 * Attack replays (docs/security.md) against the daemon's two sockets, over the real auxprop
 * bridge and an LMDB store: a local client (or an SMTP client whose bytes Postfix relays) that
 * knows mallory's password tries to become alice through an authzid or NUL bytes, replays a
 * recorded exchange, or sends lines and fields far over the protocol limits. Logins as someone
 * else must fail, over-long input must close only that connection, and the daemon must go on
 * serving everyone else on both sockets.
 */
@Tag("attack")
class HostileClientAttackTest {
    private static final String AUTH = "AUTH\t%d\t%s\tservice=smtp\tnologin\tlip=127.0.0.1\trip=192.0.2.66";
    private Path dir;
    private AuthDaemon daemon;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "authd-attack",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path db = dir.resolve("sasldb");
        try (CredentialStore s = CredentialStore.open(db, StoreOptions.create())) {
            s.update(w -> {
                for (String[] u : new String[][] {{"alice", "alicepw"}, {"mallory", "mallorypw"}}) {
                    w.put(UserId.of(u[0], "example.org"), SecretProperties.USER_PASSWORD,
                            u[1].getBytes(StandardCharsets.UTF_8));
                }
            });
        }
        BridgeConfig bc = BridgeConfig.of("example.org").withPolicy(SecretSet.PLAINTEXT);
        DaemonSettings settings = DaemonSettings.forTests("example.org").withMechanisms(Mechanism.parseList(
                List.of("PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256")));
        DaemonConfig cfg = new DaemonConfig(dir.resolve("auth"), dir.resolve("mux"), null, 16, settings,
                64 * 1024, 1024, Duration.ofSeconds(5), Duration.ZERO);
        daemon = AuthDaemon.start(cfg, () -> BridgeBackend.open(db, bc, "example.org"));
    }

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Path dovecot() {
        return dir.resolve("auth");
    }

    private Path mux() {
        return dir.resolve("mux");
    }

    private static String plain(DovecotClient c, int id, String message) throws Exception {
        c.send(String.format(AUTH, id, "PLAIN") + "\tresp=" + b64(message));
        return c.readLine();
    }

    /** Both sockets still log in alice and refuse a wrong password: the daemon serves others. */
    private void stillServes() throws Exception {
        try (DovecotClient c = DovecotClient.postfix(dovecot())) {
            assertEquals("OK\t1\tuser=alice@example.org", plain(c, 1, "\0alice\0alicepw"));
            assertTrue(plain(c, 2, "\0alice\0wrong").startsWith("FAIL\t2\t"));
        }
        assertEquals("OK", ask(mux(), "alice", "alicepw", "smtp", ""));
        assertEquals("NO", ask(mux(), "alice", "wrong", "smtp", ""));
    }

    @Test
    void plainAuthzidOfAnotherUserFailsOnTheSocket() throws Exception {
        try (DovecotClient c = DovecotClient.postfix(dovecot())) {
            assertEquals("OK\t1\tuser=mallory@example.org", plain(c, 1, "\0mallory\0mallorypw"));
            int id = 2;
            for (String as : List.of("alice", "alice@example.org", "ALICE", " alice")) {
                String reply = plain(c, id, as + "\0mallory\0mallorypw");
                assertTrue(reply.startsWith("FAIL\t" + id + "\t"), as + ": " + reply);
                assertFalse(reply.contains("alice"), reply);
                id++;
            }
            assertEquals("OK\t" + id + "\tuser=mallory@example.org", plain(c, id, "mallory@example.org\0mallory\0mallorypw"));
        }
    }

    @Test
    void scramAndDigestAuthzidOfAnotherUserFailOnTheSocket() throws Exception {
        try (DovecotClient c = DovecotClient.postfix(dovecot())) {
            assertEquals("OK\t1\tuser=mallory@example.org", scram(c, 1, "SCRAM-SHA-256", "mallory", null).get(0));
            assertTrue(scram(c, 2, "SCRAM-SHA-256", "mallory", "alice").get(0).startsWith("FAIL\t2\t"));
            assertTrue(scram(c, 3, "SCRAM-SHA-1", "mallory", "alice@example.org").get(0).startsWith("FAIL\t3\t"));
            assertEquals("OK\t4\tuser=mallory@example.org", digest(c, 4, "mallory", null));
            assertTrue(digest(c, 5, "mallory", "alice").startsWith("FAIL\t5\t"));
        }
    }

    @Test
    void nulTricksFailOnBothSockets() throws Exception {
        try (DovecotClient c = DovecotClient.postfix(dovecot())) {
            int id = 1;
            for (String m : List.of("\0mallory\0mallorypw\0alice", "alice\0mallory\0mallorypw\0", "\0alice\0\0mallorypw",
                    "\0alice\0alicepw\0", "alice\0\0mallorypw")) {
                String reply = plain(c, id, m);
                assertTrue(reply.startsWith("FAIL\t" + id + "\t"), m.replace("\0", "\\0") + ": " + reply);
                id++;
            }
            for (String[] up : new String[][] {{"alice\0mallory", "alicepw"}, {"alice", "alicepw\0"},
                    {"alice@example.org\0userPassword", "alicepw"}}) {
                c.send(String.format(AUTH, id, "LOGIN") + "\tresp=" + b64(up[0]));
                assertEquals("CONT\t" + id + "\tUGFzc3dvcmQ6", c.readLine());
                c.send("CONT\t" + id + "\t" + b64(up[1]));
                String reply = c.readLine();
                assertTrue(reply.startsWith("FAIL\t" + id + "\t"), up[0].replace("\0", "\\0") + ": " + reply);
                id++;
            }
        }
        // saslauthd: counted strings may carry a NUL, which libsasl's C caller would have cut at
        for (String[] f : new String[][] {{"alice\0x", "alicepw"}, {"alice", "alicepw\0"}, {"alice", "alicepw\0junk"},
                {"alice\0", "alicepw"}, {"alice@example.org\0userPassword", "alicepw"}}) {
            assertEquals("NO", ask(mux(), f[0], f[1], "smtp", ""), f[0].replace("\0", "\\0"));
        }
        assertEquals("NO", ask(mux(), "alice", "alicepw", "smtp", "example.org\0userPassword"));
        stillServes();
    }

    @Test
    void replayedExchangesFailOnTheSocket() throws Exception {
        try (DovecotClient c = DovecotClient.postfix(dovecot())) {
            // CRAM-MD5: record a successful response, send it again to a new challenge
            c.send(String.format(AUTH, 1, "CRAM-MD5"));
            String challenge = unb64(c.readLine().substring("CONT\t1\t".length()));
            String response = b64("alice " + DovecotProtocolTest.hmacMd5("alicepw", challenge));
            c.send("CONT\t1\t" + response);
            assertEquals("OK\t1\tuser=alice@example.org", c.readLine());
            c.send(String.format(AUTH, 2, "CRAM-MD5"));
            String fresh = unb64(c.readLine().substring("CONT\t2\t".length()));
            assertNotEquals(challenge, fresh);
            c.send("CONT\t2\t" + response);
            assertTrue(c.readLine().startsWith("FAIL\t2\t"));

            // SCRAM: record client-first and client-final, replay both in a new request
            List<String> recorded = scram(c, 3, "SCRAM-SHA-256", "alice", null);
            assertEquals("OK\t3\tuser=alice@example.org", recorded.get(0));
            c.send(String.format(AUTH, 4, "SCRAM-SHA-256") + "\tresp=" + recorded.get(1));
            String serverFirst = c.readLine();
            assertTrue(serverFirst.startsWith("CONT\t4\t"), serverFirst);
            c.send("CONT\t4\t" + recorded.get(2));
            assertTrue(c.readLine().startsWith("FAIL\t4\t"));
            // ... and the recorded client-final as the answer to a request still open elsewhere
            c.send(String.format(AUTH, 5, "SCRAM-SHA-256") + "\tresp=" + b64("n,,n=alice,r=otherclientnonce"));
            assertTrue(c.readLine().startsWith("CONT\t5\t"));
            c.send("CONT\t5\t" + recorded.get(2));
            assertTrue(c.readLine().startsWith("FAIL\t5\t"));
        }
    }

    @Test
    void overlongDovecotLinesCloseOnlyThatConnection() throws Exception {
        try (DovecotClient bystander = DovecotClient.postfix(dovecot())) {
            for (int size : new int[] {16385, 65536, 1 << 20}) {
                try (DovecotClient c = DovecotClient.postfix(dovecot())) {
                    byte[] line = new byte[size];
                    java.util.Arrays.fill(line, (byte) 'A');
                    byte[] head = "AUTH\t1\tPLAIN\tservice=smtp\tresp=".getBytes(StandardCharsets.US_ASCII);
                    System.arraycopy(head, 0, line, 0, head.length);
                    try {
                        c.sendRaw(line); // no LF: the daemon must stop reading at its limit
                    } catch (IOException closedWhileWriting) {
                        // the daemon closed mid-write: the defence held
                    }
                    assertTrue(c.closedWithin(DovecotClient.HANG_GUARD_MILLIS), size + "-byte line: connection not closed");
                }
            }
            // The connection opened before the attack was not disturbed.
            assertEquals("OK\t7\tuser=alice@example.org", plain(bystander, 7, "\0alice\0alicepw"));
        }
        stillServes();
    }

    @Test
    void overlongSaslauthdFieldsAreRefusedAndClosed() throws Exception {
        for (int claimed : new int[] {257, 4096, 0xffff}) {
            for (int field = 0; field < 4; field++) {
                ByteArrayOutputStream req = new ByteArrayOutputStream();
                for (int i = 0; i < 4; i++) {
                    int n = i == field ? claimed : 5;
                    req.write(n >> 8);
                    req.write(n);
                    req.write(new byte[n], 0, n);
                }
                assertEquals("NO", askRawTolerant(req.toByteArray()), "field " + field + " of " + claimed + " bytes");
            }
        }
        // A torrent with no structure at all: answered or closed, never buffered without bound.
        byte[] junk = new byte[1 << 20];
        java.util.Arrays.fill(junk, (byte) 0xff);
        String reply = askRawTolerant(junk);
        assertTrue(reply == null || reply.startsWith("NO"), reply);
        stillServes();
    }

    /** Like {@link SaslauthdClient#askRaw}, but a peer that closes while we still write is fine. */
    private String askRawTolerant(byte[] request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(mux()));
            ByteBuffer b = ByteBuffer.wrap(request);
            try {
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            } catch (IOException e) {
                // closed after its NO: read what was sent
            }
            ByteBuffer in = ByteBuffer.allocate(1024);
            try {
                while (ch.read(in) >= 0 && in.hasRemaining()) {
                    // until EOF
                }
            } catch (IOException e) {
                // reset after the reply
            }
            in.flip();
            if (in.remaining() < 2) {
                return null;
            }
            int n = in.getShort() & 0xffff;
            byte[] text = new byte[Math.min(n, in.remaining())];
            in.get(text);
            return new String(text, StandardCharsets.UTF_8);
        }
    }

    /**
     * A SCRAM exchange by the OnGres client over the socket.
     *
     * @return the last reply line, then the base64 client-first and client-final sent
     */
    private static List<String> scram(DovecotClient c, int id, String mech, String user, String authzid) throws Exception {
        var builder = ScramClient.builder().advertisedMechanisms(List.of(mech)).username(user)
                .password((user + "pw").toCharArray());
        if (authzid != null) {
            builder.authzid(authzid);
        }
        ScramClient client = builder.build();
        String first = b64(client.clientFirstMessage().toString());
        c.send(String.format(AUTH, id, mech) + "\tresp=" + first);
        String serverFirst = c.readLine();
        List<String> out = new ArrayList<>(List.of("", first, ""));
        if (!serverFirst.startsWith("CONT\t")) {
            out.set(0, serverFirst);
            return out;
        }
        client.serverFirstMessage(unb64(serverFirst.substring(serverFirst.lastIndexOf('\t') + 1)));
        String fin = b64(client.clientFinalMessage().toString());
        out.set(2, fin);
        c.send("CONT\t" + id + "\t" + fin);
        String reply = c.readLine();
        if (reply.startsWith("CONT\t")) {
            client.serverFinalMessage(unb64(reply.substring(reply.lastIndexOf('\t') + 1)));
            c.send("CONT\t" + id + "\t");
            reply = c.readLine();
        }
        out.set(0, reply);
        return out;
    }

    /** A DIGEST-MD5 exchange by the JDK's client over the socket; returns the last reply line. */
    private static String digest(DovecotClient c, int id, String user, String authzid) throws Exception {
        SaslClient client = Sasl.createSaslClient(new String[] {"DIGEST-MD5"}, authzid, "smtp", "example.org",
                Map.of(), cbs -> {
                    for (var cb : cbs) {
                        if (cb instanceof javax.security.auth.callback.NameCallback n) {
                            n.setName(user);
                        } else if (cb instanceof javax.security.auth.callback.PasswordCallback p) {
                            p.setPassword((user + "pw").toCharArray());
                        } else if (cb instanceof javax.security.sasl.RealmChoiceCallback r) {
                            r.setSelectedIndex(0);
                        } else if (cb instanceof javax.security.sasl.RealmCallback r) {
                            r.setText(r.getDefaultText());
                        }
                    }
                });
        c.send(String.format(AUTH, id, "DIGEST-MD5"));
        String line = c.readLine();
        while (line.startsWith("CONT\t")) {
            byte[] challenge = Base64.getDecoder().decode(line.substring(line.lastIndexOf('\t') + 1));
            byte[] answer = client.isComplete() ? new byte[0] : client.evaluateChallenge(challenge);
            c.send("CONT\t" + id + "\t" + Base64.getEncoder().encodeToString(answer == null ? new byte[0] : answer));
            line = c.readLine();
        }
        return line;
    }
}
