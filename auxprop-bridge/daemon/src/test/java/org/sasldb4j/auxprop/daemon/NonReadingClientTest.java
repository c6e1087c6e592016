package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sasldb4j.auxprop.daemon.DovecotClient.b64;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The attack of a local socket client that floods {@code AUTH} lines and never reads: the
 * daemon's writes to it block, and once they blocked the shared timer, so every delayed failure,
 * expiry and I/O timeout on both sockets stopped. Now only that client's own thread waits; while
 * it is stuck, other clients log in, get their (delayed) failures, and idle connections still time
 * out; the flooder is disconnected by the write timeout.
 */
@Tag("attack")
class NonReadingClientTest {

    @Test
    void aClientThatNeverReadsBlocksNobodyElse() throws Exception {
        DaemonSettings s = DaemonSettings.forTests("example.org")
                .withFailureDelay(Duration.ofMillis(500))
                .withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(3), Duration.ofSeconds(5));
        try (DaemonFixture fx = DaemonFixture.start(s, DaemonFixture.users(), 0, Duration.ZERO);
                DovecotClient flooder = DovecotClient.postfix(fx.dovecot());
                DovecotClient idle = DovecotClient.postfix(fx.dovecot())) {
            floodUntilTheDaemonStopsReading(flooder);

            // While the daemon's writes to the flooder are stuck, everyone else is served,
            // delayed failures (timer -> writer) included.
            for (int round = 0; round < 3; round++) {
                try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
                    c.send("AUTH\t1\tPLAIN\tservice=smtp\tresp=" + b64("\0alice\0alicepw"));
                    assertEquals("OK\t1\tuser=alice@example.org", c.readLine(DovecotClient.HANG_GUARD_MILLIS));
                    c.send("AUTH\t2\tPLAIN\tservice=smtp\tresp=" + b64("\0alice\0wrong"));
                    assertEquals("FAIL\t2\treason=authentication failure", c.readLine(DovecotClient.HANG_GUARD_MILLIS));
                }
                assertEquals("OK", SaslauthdClient.ask(fx.saslauthd(), "alice", "alicepw", "smtp", ""));
                assertEquals("NO", SaslauthdClient.ask(fx.saslauthd(), "alice", "wrong", "smtp", ""));
            }
            // The watchdog still runs: an idle connection is closed after the idle timeout ...
            assertTrue(idle.closedWithin(30_000), "idle connection closed while the flooder is stuck");
            // ... and the flooder itself after the write timeout (what it had not read is skipped).
            assertTrue(flooder.closedWithin(30_000), "flooder disconnected");
        }
    }

    /**
     * Sends AUTH lines (each answered, some after the failure delay) without reading, until the
     * socket takes no more: the daemon has stopped reading because its write to us is blocked.
     */
    private static void floodUntilTheDaemonStopsReading(DovecotClient c) throws Exception {
        c.ch.configureBlocking(false);
        int stalls = 0;
        for (int id = 1; id < 2_000_000 && stalls < 200; id++) {
            // Mostly answered at once (an unknown mechanism), some after the failure delay (through
            // the timer); none stays open, so no limit on open requests interferes.
            String line = id % 10 != 0
                    ? "AUTH\t" + id + "\tNO-SUCH-MECH\tservice=smtp\n"
                    : "AUTH\t" + id + "\tPLAIN\tservice=smtp\tresp=" + b64("\0alice\0wrong") + "\n";
            ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining() && stalls < 200) {
                if (c.ch.write(b) == 0) {
                    stalls++;
                    Thread.onSpinWait();
                    Thread.sleep(5);
                } else {
                    stalls = 0;
                }
            }
        }
        assertTrue(stalls >= 200, "the daemon kept reading: its writes never blocked");
        c.ch.configureBlocking(true);
    }
}
