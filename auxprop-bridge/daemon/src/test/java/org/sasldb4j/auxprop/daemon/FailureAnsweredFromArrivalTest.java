package org.sasldb4j.auxprop.daemon;

import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sasldb4j.auxprop.daemon.DovecotClient.b64;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The user-existence timing attack through the failure delay: a failure is answered at its
 * request's (or step's) arrival plus the delay, so the work done in between (an Argon2id run for
 * one user, none for another) does not show. A fake clock makes the check "slow": it advances
 * while the password is checked, and the wait scheduled for the answer must be shorter by
 * exactly that much (counted, not timed).
 */
@Tag("attack")
class FailureAnsweredFromArrivalTest {
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration HELD = Duration.ofMinutes(5);
    private static final long AT_ONCE_MILLIS = 10_000;
    private final AtomicLong clock = new AtomicLong();
    private DaemonFixture fx;

    @BeforeEach
    void start() throws IOException {
        fx = DaemonFixture.start(DaemonSettings.forTests("example.org").withFailureDelay(HOUR),
                DaemonFixture.users(), 0, Duration.ZERO);
        fx.daemon.context().clock(clock::get);
    }

    @AfterEach
    void stop() throws IOException {
        fx.close();
    }

    /** Every password check costs {@code d} on the test's clock. */
    private void checksCost(Duration d) {
        fx.backend.onCheck = () -> clock.addAndGet(d.toNanos());
    }

    private static void assertDue(Duration expected, RunnableScheduledFuture<?> task) {
        long d = task.getDelay(NANOSECONDS);
        assertTrue(d <= expected.toNanos() && d > expected.minusMinutes(1).toNanos(),
                "held for " + Duration.ofNanos(d) + ", expected " + expected);
    }

    @Test
    void dovecotFailureWaitsTheDelayLessTheWorkAlreadyDone() throws Exception {
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            checksCost(Duration.ofMinutes(40));
            c.send("AUTH\t1\tPLAIN\tservice=smtp\tnologin\trip=192.0.2.1\tresp=" + b64("\0alice\0nope"));
            RunnableScheduledFuture<?> held = fx.awaitTimerTaskDueAfter(HELD);
            assertDue(Duration.ofMinutes(20), held);
            fx.runNow(held);
            assertEquals("FAIL\t1\treason=authentication failure", c.readLine(AT_ONCE_MILLIS));

            checksCost(Duration.ZERO);
            c.send("AUTH\t2\tPLAIN\tservice=smtp\tnologin\trip=192.0.2.1\tresp=" + b64("\0nobody\0nope"));
            held = fx.awaitTimerTaskDueAfter(HELD);
            assertDue(HOUR, held);
            fx.runNow(held);
            assertEquals("FAIL\t2\treason=authentication failure", c.readLine(AT_ONCE_MILLIS));

            // Work longer than the delay: answered as soon as it is done, nothing held.
            checksCost(Duration.ofHours(2));
            c.send("AUTH\t3\tPLAIN\tservice=smtp\tnologin\trip=192.0.2.1\tresp=" + b64("\0alice\0nope"));
            assertEquals("FAIL\t3\treason=authentication failure", c.readLine(AT_ONCE_MILLIS));
            assertEquals(List.of(), fx.timerTasksDueAfter(HELD));
        }
    }

    @Test
    void aMultiStepExchangeIsTimedFromTheStepThatFailed() throws Exception {
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t1\tLOGIN\tservice=smtp\tnologin\trip=192.0.2.1");
            assertEquals("CONT\t1\tVXNlcm5hbWU6", c.readLine(AT_ONCE_MILLIS));
            c.send("CONT\t1\t" + b64("alice"));
            assertTrue(c.readLine(AT_ONCE_MILLIS).startsWith("CONT\t1\t"));
            // The client took 50 minutes to type: not work of ours, so not taken off the delay.
            clock.addAndGet(Duration.ofMinutes(50).toNanos());
            checksCost(Duration.ofMinutes(10));
            c.send("CONT\t1\t" + b64("nope"));
            RunnableScheduledFuture<?> held = fx.awaitTimerTaskDueAfter(HELD);
            assertDue(Duration.ofMinutes(50), held);
            fx.runNow(held);
            assertEquals("FAIL\t1\treason=authentication failure", c.readLine(AT_ONCE_MILLIS));
        }
    }

    @Test
    void saslauthdFailureWaitsTheDelayLessTheWorkAlreadyDone() throws Exception {
        checksCost(Duration.ofMinutes(45));
        CompletableFuture<String> no = CompletableFuture.supplyAsync(() -> {
            try {
                return SaslauthdClient.ask(fx.saslauthd(), "alice", "nope", "smtp", "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        RunnableScheduledFuture<?> held = fx.awaitTimerTaskDueAfter(HELD);
        assertDue(Duration.ofMinutes(15), held);
        fx.runNow(held);
        assertEquals("NO", no.get(AT_ONCE_MILLIS, TimeUnit.MILLISECONDS));
    }
}
