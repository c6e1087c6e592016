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
 * out; the flooder is disconnected by the write timeout. Answers due at once must come within 1 s,
 * failures within the failure delay + 1 s (hang/latency guards of a functional property: a timer
 * stalled behind the flooder would answer only once it is closed, 20 s later).
 */
@Tag("attack")
class NonReadingClientTest {

    /** Longest wait for an answer that is due at once: a hang/latency guard, not a timing measurement. */
    static final long PROMPT_MILLIS = 1_000;

    @Test
    void aClientThatNeverReadsBlocksNobodyElse() throws Exception {
        Duration failureDelay = Duration.ofMillis(500);
        long failMillis = failureDelay.toMillis() + PROMPT_MILLIS;
        // The write timeout (20 s) outlasts the rounds below, so they all run while the flooder
        // is stuck: a regression that let its blocked writes stall the timer would show as late
        // answers here, not only as answers after the flooder is finally closed.
        DaemonSettings s = DaemonSettings.forTests("example.org")
                .withFailureDelay(failureDelay)
                .withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(3), Duration.ofSeconds(20));
        try (DaemonFixture fx = DaemonFixture.start(s, DaemonFixture.users(), 0, Duration.ZERO);
                DovecotClient flooder = DovecotClient.postfix(fx.dovecot());
                DovecotClient idle = DovecotClient.postfix(fx.dovecot())) {
            floodUntilTheDaemonStopsReading(flooder);

            // While the daemon's writes to the flooder are stuck, everyone else is served: OK
            // promptly, delayed failures (timer -> writer) after the failure delay, not later.
            for (int round = 0; round < 3; round++) {
                try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
                    c.send("AUTH\t1\tPLAIN\tservice=smtp\tresp=" + b64("\0alice\0alicepw"));
                    assertEquals("OK\t1\tuser=alice@example.org", c.readLine(PROMPT_MILLIS));
                    c.send("AUTH\t2\tPLAIN\tservice=smtp\tresp=" + b64("\0alice\0wrong"));
                    assertEquals("FAIL\t2\treason=authentication failure", c.readLine(failMillis));
                }
                assertEquals("OK", within(PROMPT_MILLIS, () -> SaslauthdClient.ask(fx.saslauthd(), "alice", "alicepw",
                        "smtp", "")));
                assertEquals("NO", within(failMillis, () -> SaslauthdClient.ask(fx.saslauthd(), "alice", "wrong",
                        "smtp", "")));
            }
            assertTrue(stillStuck(flooder), "the flooder is still connected and unread after the rounds,"
                    + " so they ran during the attack");
            // The watchdog still runs: an idle connection is closed after the idle timeout ...
            assertTrue(idle.closedWithin(30_000), "idle connection closed while the flooder is stuck");
            // ... and the flooder itself after the write timeout (what it had not read is skipped).
            assertTrue(flooder.closedWithin(60_000), "flooder disconnected");
        }
    }

    /** The answer of {@code call}, which must come within {@code millis} (a hang/latency guard). */
    private static String within(long millis, java.util.concurrent.Callable<String> call) throws Exception {
        long t0 = System.nanoTime();
        String answer = call.call();
        long took = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(took <= millis, "answered after " + took + " ms, more than " + millis + " ms");
        return answer;
    }

    /**
     * True if the daemon still holds the flooder's connection and still does not read it: a
     * non-blocking write takes nothing (a closed connection would fail with a broken pipe). Reads
     * nothing, so the daemon's blocked write stays blocked.
     */
    private static boolean stillStuck(DovecotClient c) throws Exception {
        c.ch.configureBlocking(false);
        try {
            return c.ch.write(ByteBuffer.wrap(new byte[] {'A'})) == 0;
        } catch (java.io.IOException closed) {
            return false;
        } finally {
            c.ch.configureBlocking(true);
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
