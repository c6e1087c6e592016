package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import javax.security.sasl.SaslException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code test-login} facing a socket that is not a well-behaved daemon (a hung one, something
 * else, a SCRAM server asking for absurd work): it ends with a clear outcome instead of hanging
 * or spinning, and the SCRAM client's parser of server messages throws nothing but
 * {@link SaslException} on arbitrary input.
 */
@Tag("attack")
class TestLoginHostileServerTest {
    @TempDir
    Path dir;

    /** A server that accepts one connection, writes {@code reply}, then holds it open until released. */
    private Thread serve(ServerSocketChannel server, String reply, CountDownLatch release) {
        Thread t = new Thread(() -> {
            try (SocketChannel c = server.accept()) {
                c.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)));
                release.await();
            } catch (Exception e) {
                // the test is over
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    private LoginVerdict loginAgainst(String reply, Duration timeout) throws Exception {
        Path socket = dir.resolve("s");
        CountDownLatch release = new CountDownLatch(1);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread t = serve(server, reply, release);
            try (LoginClient client = LoginClient.create("PLAIN", "alice", "pw".getBytes(StandardCharsets.UTF_8), "h")) {
                return SocketLogin.run(socket, client, "smtp", "127.0.0.1", timeout);
            } finally {
                release.countDown();
                t.join();
            }
        }
    }

    @Test
    void aDaemonThatNeverAnswersIsATemporaryFailureNotAHang() throws Exception {
        LoginVerdict v = loginAgainst("", Duration.ofMillis(300));
        assertEquals(LoginVerdict.Outcome.TEMPORARY, v.outcome());
        assertTrue(v.reason().startsWith("no answer from the daemon within"), v.reason());
    }

    @Test
    void aSocketThatIsNotADovecotAuthServerIsUnavailable() throws Exception {
        LoginVerdict v = loginAgainst("220 smtp.example.org ESMTP\n", Duration.ofSeconds(60));
        assertEquals(LoginVerdict.Outcome.UNAVAILABLE, v.outcome());
        assertTrue(v.reason().contains("does not speak the Dovecot auth protocol 1"), v.reason());
    }

    @Test
    void aDaemonThatSaysOkWithoutScramProofIsNotBelieved() throws Exception {
        String handshake = "VERSION\t1\t2\nMECH\tSCRAM-SHA-256\tmutual-auth\nDONE\nOK\t1\tuser=alice@example.org\n";
        Path socket = dir.resolve("s");
        CountDownLatch release = new CountDownLatch(1);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread t = serve(server, handshake, release);
            try (LoginClient client = LoginClient.create("SCRAM-SHA-256", "alice",
                    "pw".getBytes(StandardCharsets.UTF_8), "h")) {
                LoginVerdict v = SocketLogin.run(socket, client, "smtp", "127.0.0.1", Duration.ofSeconds(60));
                assertEquals(LoginVerdict.Outcome.REFUSED, v.outcome());
                assertTrue(v.reason().contains("without proving"), v.reason());
            } finally {
                release.countDown();
                t.join();
            }
        }
    }

    @Test
    void absurdScramIterationsAreRefusedBeforeAnyWork() throws Exception {
        try (ScramLoginClient c = new ScramLoginClient("SCRAM-SHA-256", "alice", "pw".getBytes(StandardCharsets.UTF_8))) {
            String first = new String(c.initialResponse(), StandardCharsets.UTF_8);
            String nonce = ScramLoginClient.attribute(first, 'r');
            SaslException e = assertThrows(SaslException.class, () -> c.evaluate(
                    ("r=" + nonce + "xyz,s=c2FsdA==,i=2000000000").getBytes(StandardCharsets.UTF_8)));
            assertTrue(e.getMessage().contains("2000000000 iterations"), e.getMessage());
        }
    }

    @Test
    void arbitraryServerMessagesOnlyEverGiveSaslException() throws Exception {
        Random random = new Random(20261204L); // seeded: a failure replays
        String[] pieces = {"r=", "s=", "i=", "v=", "e=", ",", "=", "m=x", "4096", "c2FsdA==", "!!", "\u00e9", "0", "-1"};
        int checked = 0;
        for (int round = 0; round < 2000; round++) {
            try (ScramLoginClient c = new ScramLoginClient(round % 2 == 0 ? "SCRAM-SHA-1" : "SCRAM-SHA-256", "u",
                    "pw".getBytes(StandardCharsets.UTF_8))) {
                String nonce = ScramLoginClient.attribute(new String(c.initialResponse(), StandardCharsets.UTF_8), 'r');
                for (int step = 0; step < 3; step++) {
                    StringBuilder m = new StringBuilder();
                    if (random.nextBoolean()) {
                        m.append("r=").append(nonce).append(",s=c2FsdA==,i=").append(random.nextInt(8) + 1).append(',');
                    }
                    for (int k = random.nextInt(6); k > 0; k--) {
                        m.append(pieces[random.nextInt(pieces.length)]);
                    }
                    byte[] bytes = random.nextInt(10) == 0 ? randomBytes(random) : m.toString().getBytes(StandardCharsets.UTF_8);
                    try {
                        c.evaluate(bytes);
                    } catch (SaslException expected) {
                        break;
                    }
                    checked++;
                }
            }
        }
        assertTrue(checked > 100, "some messages got past the parser: " + checked);
        assertFalse(checked == 6000, "and some were refused");
    }

    private static byte[] randomBytes(Random random) {
        byte[] b = new byte[random.nextInt(64)];
        random.nextBytes(b);
        return b;
    }
}
