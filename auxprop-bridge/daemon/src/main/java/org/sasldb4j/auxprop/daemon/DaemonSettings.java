package org.sasldb4j.auxprop.daemon;

import java.time.Duration;
import java.util.List;

/**
 * The protocol-level settings shared by every connection.
 *
 * @param mechanisms the mechanisms advertised on the Dovecot socket, in order
 * @param defaultRealm the realm of a login without {@code @} (Postfix never sends one; make it
 *     Postfix's {@code myhostname} for users migrated from Cyrus sasldb)
 * @param failureDelay how long a definite failure waits before it is answered (Dovecot's
 *     {@code auth_failure_delay}); slows password guessing; zero in tests
 * @param requestTimeout lifetime of a Dovecot request waiting for the client's next step;
 *     abandoned requests are failed and forgotten after it
 * @param idleTimeout a Dovecot connection with no input for this long is closed (Postfix
 *     reconnects on its next write); zero for never
 * @param ioTimeout longest wait for one write, and for a whole saslauthd request to arrive;
 *     zero for no limit
 * @param maxLineLength longest Dovecot line accepted, without its LF
 * @param maxPending most requests one Dovecot connection may have open at once; a new request
 *     beyond it drops the oldest open one (Postfix abandons requests without saying so)
 * @param saslauthdClientAddress read a fifth counted string (client address, Cyrus master)
 */
record DaemonSettings(
        List<Mechanism> mechanisms,
        String defaultRealm,
        Duration failureDelay,
        Duration requestTimeout,
        Duration idleTimeout,
        Duration ioTimeout,
        int maxLineLength,
        int maxPending,
        boolean saslauthdClientAddress) {

    /** The protocol's line limit ("expected to fit" 16384 bytes). */
    static final int DEFAULT_MAX_LINE = 16384;

    DaemonSettings {
        mechanisms = List.copyOf(mechanisms);
        if (mechanisms.isEmpty()) {
            throw new IllegalArgumentException("no mechanism to advertise");
        }
        if (defaultRealm == null) {
            throw new IllegalArgumentException("the default realm is required (may be empty)");
        }
        if (maxLineLength < 64 || maxPending < 1) {
            throw new IllegalArgumentException("line length or pending-request limit too small");
        }
    }

    /** Defaults for tests: no failure delay, short timeouts. */
    static DaemonSettings forTests(String defaultRealm) {
        return new DaemonSettings(Mechanism.parseList(Mechanism.DEFAULT_NAMES), defaultRealm, Duration.ZERO,
                Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofSeconds(5), DEFAULT_MAX_LINE, 64, false);
    }

    DaemonSettings withFailureDelay(Duration d) {
        return new DaemonSettings(mechanisms, defaultRealm, d, requestTimeout, idleTimeout, ioTimeout, maxLineLength,
                maxPending, saslauthdClientAddress);
    }

    DaemonSettings withTimeouts(Duration request, Duration idle, Duration io) {
        return new DaemonSettings(mechanisms, defaultRealm, failureDelay, request, idle, io, maxLineLength,
                maxPending, saslauthdClientAddress);
    }

    DaemonSettings withMechanisms(List<Mechanism> m) {
        return new DaemonSettings(m, defaultRealm, failureDelay, requestTimeout, idleTimeout, ioTimeout, maxLineLength,
                maxPending, saslauthdClientAddress);
    }

    DaemonSettings withSaslauthdClientAddress(boolean on) {
        return new DaemonSettings(mechanisms, defaultRealm, failureDelay, requestTimeout, idleTimeout, ioTimeout,
                maxLineLength, maxPending, on);
    }
}
