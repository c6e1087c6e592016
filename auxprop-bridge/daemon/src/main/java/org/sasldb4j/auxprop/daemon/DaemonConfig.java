package org.sasldb4j.auxprop.daemon;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where and how the daemon listens, and its resource limits.
 *
 * @param dovecotSocket the Dovecot-protocol socket, or null for none
 * @param saslauthdSocket the saslauthd-protocol socket, or null for none
 * @param socketGroup the group owning the sockets (e.g. {@code postfix}), or null for the
 *     process's group
 * @param maxConnections connections handled at once, per socket
 * @param settings protocol settings
 * @param memoryBudgetKib memory all concurrent password hashing may use, in KiB; 0 for no limit
 * @param hashCostKib memory one verification is assumed to use, in KiB
 * @param queueTimeout longest wait for a share of the memory budget
 * @param cacheTtl lifetime of remembered successful saslauthd verifications; zero for no cache
 * @param poolIdleTimeout how long an idle connection-handler thread of the Dovecot socket's pool
 *     lives before it exits (the pool keeps a few core threads)
 * @param throttle how failed logins slow down later answers
 */
record DaemonConfig(
        Path dovecotSocket,
        Path saslauthdSocket,
        String socketGroup,
        int maxConnections,
        DaemonSettings settings,
        int memoryBudgetKib,
        int hashCostKib,
        Duration queueTimeout,
        Duration cacheTtl,
        Duration poolIdleTimeout,
        ThrottleSettings throttle) {

    /** Handler threads idle this long exit (the JDK's cached-pool default). */
    static final Duration DEFAULT_POOL_IDLE_TIMEOUT = Duration.ofSeconds(60);

    /** A configuration with the default pool idle timeout and no throttle (tests). */
    DaemonConfig(Path dovecotSocket, Path saslauthdSocket, String socketGroup, int maxConnections,
            DaemonSettings settings, int memoryBudgetKib, int hashCostKib, Duration queueTimeout, Duration cacheTtl) {
        this(dovecotSocket, saslauthdSocket, socketGroup, maxConnections, settings, memoryBudgetKib, hashCostKib,
                queueTimeout, cacheTtl, DEFAULT_POOL_IDLE_TIMEOUT);
    }

    /** A configuration without throttle (tests that make failures on purpose). */
    DaemonConfig(Path dovecotSocket, Path saslauthdSocket, String socketGroup, int maxConnections,
            DaemonSettings settings, int memoryBudgetKib, int hashCostKib, Duration queueTimeout, Duration cacheTtl,
            Duration poolIdleTimeout) {
        this(dovecotSocket, saslauthdSocket, socketGroup, maxConnections, settings, memoryBudgetKib, hashCostKib,
                queueTimeout, cacheTtl, poolIdleTimeout, ThrottleSettings.OFF);
    }

    /** The same configuration with {@code t} as its throttle. */
    DaemonConfig withThrottle(ThrottleSettings t) {
        return new DaemonConfig(dovecotSocket, saslauthdSocket, socketGroup, maxConnections, settings, memoryBudgetKib,
                hashCostKib, queueTimeout, cacheTtl, poolIdleTimeout, t);
    }

    DaemonConfig {
        if (dovecotSocket == null && saslauthdSocket == null) {
            throw new IllegalArgumentException("no socket to listen on: give --dovecot-socket and/or --saslauthd-socket");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("--max-connections must be positive");
        }
        if (poolIdleTimeout == null || poolIdleTimeout.isNegative() || poolIdleTimeout.isZero()) {
            throw new IllegalArgumentException("--pool-idle-timeout must be positive");
        }
        if (throttle == null) {
            throw new IllegalArgumentException("no throttle settings (ThrottleSettings.OFF for none)");
        }
        if (memoryBudgetKib < 0 || hashCostKib < 1) {
            throw new IllegalArgumentException("the memory budget cannot be negative, the hash cost must be positive");
        }
    }
}
