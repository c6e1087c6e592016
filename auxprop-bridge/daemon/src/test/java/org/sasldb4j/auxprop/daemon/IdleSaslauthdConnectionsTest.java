package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The attack of local clients that connect to the saslauthd socket and send nothing (or half a
 * request): once each held one of the four handler threads for the I/O timeout, so 40 of them made
 * a legitimate request wait 50 s. Now no idle connection holds a thread, and when more wait than
 * the limit the oldest are closed to make room.
 */
@Tag("attack")
class IdleSaslauthdConnectionsTest {

    @Test
    void idleConnectionsDoNotDelayOthers() throws Exception {
        // A long I/O timeout: an idle connection is never closed by it during this test.
        DaemonSettings s = DaemonSettings.forTests("example.org")
                .withTimeouts(Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofMinutes(5));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<SocketChannel> idle = new ArrayList<>();
        try (DaemonFixture fx = DaemonFixture.start(s, DaemonFixture.users(), 0, Duration.ZERO)) {
            for (int i = 0; i < 40; i++) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(fx.saslauthd()));
                if (i % 2 == 1) {
                    ch.write(ByteBuffer.wrap(new byte[] {0, 5, 'a', 'l'})); // half a request
                }
                idle.add(ch);
            }
            // Legitimate requests are answered while all 40 stay connected, within 2 s of being
            // sent (a hang/latency guard, not a timing measurement: the requests are cheap and
            // nothing delays them); the old four-thread design left them waiting for idle
            // connections' I/O timeouts (5 s each, four at a time; 5 minutes here).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String pw = i % 2 == 0 ? "alicepw" : "wrong";
                answers.add(pool.submit(() -> SaslauthdClient.ask(fx.saslauthd(), "alice", pw, "smtp", "")));
            }
            for (int i = 0; i < answers.size(); i++) {
                assertEquals(i % 2 == 0 ? "OK" : "NO",
                        answers.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
            for (SocketChannel ch : idle) {
                assertTrue(ch.isOpen());
            }
        } finally {
            pool.shutdownNow();
            for (SocketChannel ch : idle) {
                ch.close();
            }
        }
    }

    @Test
    void beyondTheLimitTheOldestIdleConnectionsMakeRoom() throws Exception {
        DaemonSettings s = DaemonSettings.forTests("example.org")
                .withTimeouts(Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofMinutes(5));
        List<SocketChannel> idle = new ArrayList<>();
        try (DaemonFixture fx = DaemonFixture.start(s, DaemonFixture.users(), 0, Duration.ZERO)) {
            int limit = 64; // DaemonFixture's maxConnections
            // Connecting blocks once the listen backlog is full, i.e. if connections are not accepted.
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int i = 0; i < limit + 20; i++) {
                    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    idle.add(ch);
                    ch.connect(UnixDomainSocketAddress.of(fx.saslauthd()));
                }
            });
            // A new client sends its request at once: it is served, whatever the idle ones hold.
            ExecutorService one = Executors.newSingleThreadExecutor();
            try {
                assertEquals("OK", one.submit(() -> SaslauthdClient.ask(fx.saslauthd(), "alice", "alicepw", "smtp", ""))
                        .get(60, TimeUnit.SECONDS));
            } finally {
                one.shutdownNow();
            }
            // The first 21 connections (20 + the one displaced by the request above) were closed,
            // oldest first: reading them gives end-of-stream at once.
            for (int i = 0; i < 21; i++) {
                assertEquals(-1, idle.get(i).read(ByteBuffer.allocate(1)), "connection " + i + " closed");
            }
        } finally {
            for (SocketChannel ch : idle) {
                ch.close();
            }
        }
    }
}
