package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The throttle's bookkeeping, counted with a clock of the test's own: the penalties it chooses,
 * what clears them, what it forgets, and that its memory stays bounded whatever the names.
 */
@Tag("attack")
class ThrottleTest {
    private static final long S = 1_000_000_000L;
    private static final ThrottleSettings SETTINGS = new ThrottleSettings(true, Duration.ofSeconds(2),
            Duration.ofSeconds(15), 100, Duration.ofMinutes(15));
    private final AtomicLong ticks = new AtomicLong();
    private final Throttle throttle = new Throttle(SETTINGS, "example.org", ticks::get);

    private static LoginEvent fail(String rip, String user) {
        return LoginEvent.ended(new AuthContext("dovecot", "smtp", rip), "PLAIN", user, LoginResult.FAIL,
                FailureReason.WRONG_PASSWORD);
    }

    private static LoginEvent ok(String rip, String user) {
        return LoginEvent.ok(new AuthContext("dovecot", "smtp", rip), "PLAIN", user);
    }

    @Test
    void penaltyDoublesUpToTheCapAsDovecotDoes() {
        long[] expected = {0, 2, 4, 8, 15, 15, 15};
        for (int n = 0; n < expected.length; n++) {
            assertEquals(expected[n] * S, SETTINGS.penaltyNanos(n), "after " + n + " failures");
        }
        assertEquals(15 * S, SETTINGS.penaltyNanos(Integer.MAX_VALUE));
    }

    @Test
    void failuresFromOneAddressDelayEveryAnswerUntilASuccess() {
        for (long expected : new long[] {0, 2, 4, 8, 15, 15}) {
            assertEquals(expected * S, throttle.addressPenaltyNanos("192.0.2.9"));
            throttle.loginFinished(fail("192.0.2.9", "nobody" + expected));
        }
        assertEquals(0, throttle.addressPenaltyNanos("192.0.2.10"), "another address is not penalised");
        throttle.loginFinished(ok("192.0.2.9", "alice@example.org"));
        assertEquals(0, throttle.addressPenaltyNanos("192.0.2.9"), "a success clears the address");
    }

    @Test
    void guessingOneAccountFromManyAddressesSlowsOnlyItsFailures() {
        for (int i = 1; i <= 5; i++) {
            throttle.loginFinished(fail("192.0.2." + i, "alice"));
        }
        // "alice" and "alice@example.org" are one account: the default realm is added.
        assertEquals(15 * S, throttle.failurePenaltyNanos("198.51.100.1", "alice@example.org"));
        assertEquals(15 * S, throttle.failurePenaltyNanos("198.51.100.1", "alice"));
        // The real user, from a clean address: her success waits for nothing.
        assertEquals(0, throttle.addressPenaltyNanos("198.51.100.1"));
        throttle.loginFinished(ok("198.51.100.1", "alice@example.org"));
        // ... and does not reset the attacker's delay.
        assertEquals(15 * S, throttle.failurePenaltyNanos("192.0.2.200", "alice"));
        assertEquals(0, throttle.failurePenaltyNanos("192.0.2.200", "bob"), "other accounts are not penalised");
    }

    @Test
    void failuresThatCheckedNoPasswordCountForNothing() {
        AuthContext c = new AuthContext("dovecot", "smtp", "192.0.2.9");
        throttle.loginFinished(LoginEvent.ended(c, "PLAIN", "alice", LoginResult.FAIL, FailureReason.MALFORMED_REQUEST));
        throttle.loginFinished(LoginEvent.ended(c, "X", null, LoginResult.FAIL, FailureReason.UNSUPPORTED_MECHANISM));
        throttle.loginFinished(LoginEvent.temporary(c, "PLAIN", "alice", "StoreException"));
        throttle.loginFinished(LoginEvent.ended(c, "PLAIN", "alice", LoginResult.EXPIRED, FailureReason.TIMED_OUT));
        assertEquals(0, throttle.failurePenaltyNanos("192.0.2.9", "alice"));
    }

    @Test
    void aLocalClientWithoutAddressIsThrottledByAccountOnly() {
        throttle.loginFinished(fail("", "alice"));
        throttle.loginFinished(fail("", "bob"));
        assertEquals(0, throttle.addressPenaltyNanos(""));
        assertEquals(2 * S, throttle.failurePenaltyNanos("", "alice"));
    }

    @Test
    void quietAddressesAndAccountsAreForgotten() {
        throttle.loginFinished(fail("192.0.2.9", "alice"));
        ticks.addAndGet(Duration.ofMinutes(14).toNanos());
        assertEquals(2 * S, throttle.failurePenaltyNanos("192.0.2.9", "alice"));
        ticks.addAndGet(Duration.ofMinutes(2).toNanos());
        assertEquals(0, throttle.failurePenaltyNanos("192.0.2.9", "alice"));
        assertEquals(0, throttle.size());
    }

    @Test
    void memoryStaysBoundedUnderAFloodOfNewNames() {
        String longTail = "x".repeat(10_000);
        for (int i = 0; i < 5_000; i++) {
            throttle.loginFinished(fail("10.0." + (i >> 8) + "." + (i & 255), "user" + i + longTail));
        }
        assertTrue(throttle.size() <= 2 * SETTINGS.maxEntries(), "entries: " + throttle.size());
        // A long name is kept as a digest, not as the 10 kB the client sent.
        assertTrue(throttle.accountKey("u" + longTail).length() <= Throttle.MAX_KEY);
    }

    @Test
    void anIpv6ClientIsCountedByItsSlash64() {
        assertEquals(Throttle.addressKey("2001:db8:1:2::1"), Throttle.addressKey("2001:db8:1:2:ffff::7"));
        assertTrue(!Throttle.addressKey("2001:db8:1:2::1").equals(Throttle.addressKey("2001:db8:1:3::1")));
        assertEquals("192.0.2.1", Throttle.addressKey("::ffff:192.0.2.1"));
        assertEquals("not an address", Throttle.addressKey("not an address"));
        throttle.loginFinished(fail("2001:db8:1:2::1", "x"));
        assertEquals(2 * S, throttle.addressPenaltyNanos("2001:db8:1:2::99"));
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class,
                () -> new ThrottleSettings(true, Duration.ZERO, Duration.ofSeconds(1), 1, Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new ThrottleSettings(true, Duration.ofSeconds(2), Duration.ofSeconds(1), 1, Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new ThrottleSettings(true, Duration.ofSeconds(2), Duration.ofSeconds(2), 0, Duration.ofMinutes(1)));
    }
}
