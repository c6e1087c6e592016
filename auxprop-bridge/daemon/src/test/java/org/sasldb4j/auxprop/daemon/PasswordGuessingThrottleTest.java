package org.sasldb4j.auxprop.daemon;

import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sasldb4j.auxprop.daemon.DovecotClient.b64;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The attack of a password-guessing run against one account, from one address and from many, on
 * both sockets: each guess waits longer (the delay the throttle chose is read off the timer task
 * holding the answer, never measured), while the real user, from a clean address, logs in at
 * once. Penalties are in hours so that only the timer task can deliver a held answer.
 */
@Tag("attack")
class PasswordGuessingThrottleTest {
    private static final Duration HOUR = Duration.ofHours(1);
    /** Held answers are due in hours; anything due after this is one of them. */
    private static final Duration HELD = Duration.ofMinutes(30);
    private static final ThrottleSettings HOURS = new ThrottleSettings(true, HOUR, Duration.ofHours(8), 1000,
            Duration.ofDays(1));
    /** Only a hang/latency guard: an answer held by the throttle would take hours. */
    private static final long AT_ONCE_MILLIS = 10_000;

    private DaemonFixture fx;

    @AfterEach
    void stop() throws IOException {
        if (fx != null) {
            fx.close();
        }
    }

    private void start(DaemonSettings settings) throws IOException {
        fx = DaemonFixture.start(settings, DaemonFixture.users(), 0, Duration.ZERO, HOURS);
        // A clock that stands still: the wait scheduled is exactly the penalty chosen.
        fx.daemon.context().clock(() -> 0L);
    }

    private static String plain(int id, String rip, String password) {
        return "AUTH\t" + id + "\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=" + rip + "\tresp="
                + b64("\0alice\0" + password);
    }

    /** The task holding an answer is due in {@code expected} (less the few seconds the test took). */
    private static void assertDue(Duration expected, RunnableScheduledFuture<?> task) {
        long d = task.getDelay(NANOSECONDS);
        assertTrue(d <= expected.toNanos() && d > expected.minusMinutes(1).toNanos(),
                "held for " + Duration.ofNanos(d) + ", expected " + expected);
    }

    @Test
    void guessesFromManyAddressesWaitLongerButTheUserLogsInAtOnce() throws Exception {
        start(DaemonSettings.forTests("example.org"));
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            // The first guess: no failure before it, answered at once (failure delay 0 here).
            c.send(plain(1, "192.0.2.1", "guess1"));
            assertEquals("FAIL\t1\treason=authentication failure", c.readLine(AT_ONCE_MILLIS));
            // Each further guess, each from a fresh address, waits twice as long as the one before.
            for (int k = 0; k < 3; k++) {
                int id = k + 2;
                c.send(plain(id, "192.0.2." + id, "guess" + id));
                RunnableScheduledFuture<?> held = fx.awaitTimerTaskDueAfter(HELD);
                assertDue(HOUR.multipliedBy(1L << k), held);
                fx.runNow(held);
                assertEquals("FAIL\t" + id + "\treason=authentication failure", c.readLine(AT_ONCE_MILLIS));
            }
            // The real user from a clean address, while the account is under attack: at once.
            c.send(plain(10, "198.51.100.7", "alicepw"));
            assertEquals("OK\t10\tuser=alice@example.org", c.readLine(AT_ONCE_MILLIS));
            assertEquals(List.of(), fx.timerTasksDueAfter(HELD), "nothing held back");
            // Her success did not reset the attacker: the next guess waits 8 h (the cap).
            c.send(plain(11, "192.0.2.11", "guess11"));
            RunnableScheduledFuture<?> held = fx.awaitTimerTaskDueAfter(HELD);
            assertDue(Duration.ofHours(8), held);
            fx.runNow(held);
            assertEquals("FAIL\t11\treason=authentication failure", c.readLine(AT_ONCE_MILLIS));
        }
    }

    @Test
    void aGuessingAddressWaitsEvenForARightGuessUntilItSucceeds() throws Exception {
        start(DaemonSettings.forTests("example.org"));
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            // Guesses for many accounts from one address.
            c.send(plain(1, "203.0.113.5", "x").replace(b64("\0alice\0x"), b64("\0nobody\0x")));
            assertEquals("FAIL\t1\treason=authentication failure", c.readLine(AT_ONCE_MILLIS));
            c.send(plain(2, "203.0.113.5", "x").replace(b64("\0alice\0x"), b64("\0bob@other.test\0x")));
            RunnableScheduledFuture<?> held = fx.awaitTimerTaskDueAfter(HELD);
            assertDue(HOUR, held);
            fx.runNow(held);
            assertEquals("FAIL\t2\treason=authentication failure", c.readLine(AT_ONCE_MILLIS));
            // A right password from that address waits too (a guesser cannot spot it sooner) ...
            c.send(plain(3, "203.0.113.5", "alicepw"));
            held = fx.awaitTimerTaskDueAfter(HELD);
            assertDue(HOUR.multipliedBy(2), held);
            fx.runNow(held);
            assertEquals("OK\t3\tuser=alice@example.org", c.readLine(AT_ONCE_MILLIS));
            // ... and clears the address.
            c.send(plain(4, "203.0.113.5", "alicepw"));
            assertEquals("OK\t4\tuser=alice@example.org", c.readLine(AT_ONCE_MILLIS));
        }
    }

    @Test
    void saslauthdGuessesFromManyAddressesWaitButTheUserDoesNot() throws Exception {
        start(DaemonSettings.forTests("example.org").withSaslauthdClientAddress(true));
        assertEquals("NO", ask("alice", "guess1", "192.0.2.1").get(AT_ONCE_MILLIS, TimeUnit.MILLISECONDS));
        CompletableFuture<String> second = ask("alice", "guess2", "192.0.2.2");
        RunnableScheduledFuture<?> held = fx.awaitTimerTaskDueAfter(HELD);
        assertDue(HOUR, held);
        assertFalse(second.isDone(), "the NO is held back");
        // The user from a clean address meanwhile: at once.
        assertEquals("OK", ask("alice", "alicepw", "198.51.100.7").get(AT_ONCE_MILLIS, TimeUnit.MILLISECONDS));
        fx.runNow(held);
        assertEquals("NO", second.get(AT_ONCE_MILLIS, TimeUnit.MILLISECONDS));
    }

    private CompletableFuture<String> ask(String user, String password, String clientAddress) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return SaslauthdClient.ask(fx.saslauthd(), user, password, "smtp", "", clientAddress);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
