package org.sasldb4j.auxprop.daemon;

import java.time.Duration;

/**
 * How failed logins slow down the next answers (see {@link Throttle}).
 *
 * @param enabled false turns the throttle off ({@code --throttle off}); the fixed failure delay stays
 * @param delay the penalty after the first failure; each further failure doubles it
 * @param maxDelay the cap of the penalty
 * @param maxEntries most client addresses, and most accounts, remembered at once (the least
 *     useful are forgotten first)
 * @param forgetAfter a client address or account without a new failure for this long is forgotten
 */
record ThrottleSettings(boolean enabled, Duration delay, Duration maxDelay, int maxEntries, Duration forgetAfter) {
    /** The daemon's defaults: 2 s doubling up to 8 s (under Postfix's 10 s wait for an answer). */
    static final ThrottleSettings DEFAULT = new ThrottleSettings(true, Duration.ofSeconds(2), Duration.ofSeconds(8),
            65536, Duration.ofMinutes(15));

    /** No throttle (tests that make many failures on purpose). */
    static final ThrottleSettings OFF = new ThrottleSettings(false, DEFAULT.delay, DEFAULT.maxDelay, DEFAULT.maxEntries,
            DEFAULT.forgetAfter);

    ThrottleSettings {
        if (delay == null || delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException("--throttle-delay must be positive (or turn it off: --throttle off)");
        }
        if (maxDelay == null || maxDelay.compareTo(delay) < 0) {
            throw new IllegalArgumentException("--throttle-max-delay must be at least --throttle-delay");
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("--throttle-entries must be positive");
        }
        if (forgetAfter == null || forgetAfter.isNegative() || forgetAfter.isZero()) {
            throw new IllegalArgumentException("--throttle-forget must be positive");
        }
    }

    /** The penalty after {@code failures} failures in a row: 0, delay, 2 delay, 4 delay ... up to the cap. */
    long penaltyNanos(int failures) {
        if (failures <= 0) {
            return 0;
        }
        long base = delay.toNanos();
        long cap = maxDelay.toNanos();
        int doublings = failures - 1;
        if (doublings >= 62 || base > (cap >> doublings)) {
            return cap;
        }
        return Math.min(cap, base << doublings);
    }
}
