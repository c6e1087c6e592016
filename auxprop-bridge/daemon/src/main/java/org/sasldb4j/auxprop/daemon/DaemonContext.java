package org.sasldb4j.auxprop.daemon;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Everything connections share: settings, the timer that schedules delayed failures and request
 * expiry, the writers that carry out what the timer only queues (see {@link Outbox}), the
 * watchdog, and the current backend (swapped on reload).
 *
 * <p>Nothing scheduled on the timer may block on a client: a timer task only queues a reply or
 * writes without blocking.
 */
final class DaemonContext {
    private final DaemonSettings settings;
    private final ScheduledExecutorService timer;
    private final ExecutorService writers;
    private final Watchdog watchdog;
    private final AtomicReference<AuthBackend> backend;
    private final AtomicLong connections = new AtomicLong();
    private final String cookie;
    private final WorkLimiter limiter;
    private final VerificationCache cache;
    private final LoginObservers logins = LoginObservers.withLog();
    private final Throttle throttle;
    /** {@link System#nanoTime}; tests count time with a clock of their own. */
    private volatile LongSupplier clock = System::nanoTime;
    /** Dovecot connections being served now (for the metrics). */
    private final AtomicInteger openDovecotConnections = new AtomicInteger();
    /** Clients being delayed by the throttle now; 0 until a throttle reports them. */
    private volatile IntSupplier throttledClients = () -> 0;
    /** The replica's condition ({@code --replica-of}), or null when the daemon serves no replica. */
    private volatile java.util.function.Supplier<org.sasldb4j.store.postgresql.Replica.Status> replica;

    /**
     * @param limiter the hashing budget, or null for none
     * @param cache successful saslauthd verifications to reuse, or null for none
     * @param throttle the penalties of failed logins, or null for none (registered as an observer here)
     */
    DaemonContext(DaemonSettings settings, ScheduledExecutorService timer, ExecutorService writers, Watchdog watchdog,
            AuthBackend backend, WorkLimiter limiter, VerificationCache cache, Throttle throttle) {
        this.settings = settings;
        this.throttle = throttle;
        if (throttle != null) {
            logins.add(throttle);
        }
        this.writers = writers;
        this.limiter = limiter;
        this.cache = cache;
        this.timer = timer;
        this.watchdog = watchdog;
        this.backend = new AtomicReference<>(backend);
        byte[] c = new byte[16];
        new SecureRandom().nextBytes(c);
        // Postfix ignores the cookie; Dovecot uses it to bind master lookups. 128 random bits.
        this.cookie = HexFormat.of().formatHex(c);
    }

    DaemonSettings settings() {
        return settings;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    /** Threads that flush replies queued by timers; each connection uses at most one at a time. */
    ExecutorService writers() {
        return writers;
    }

    Watchdog watchdog() {
        return watchdog;
    }

    /** The hashing budget, or null. */
    WorkLimiter limiter() {
        return limiter;
    }

    /** The verification cache, or null. */
    VerificationCache cache() {
        return cache;
    }

    /** Told of every finished authentication: the log line, then throttling, metrics... */
    LoginObservers logins() {
        return logins;
    }

    /** The throttle, or null when it is off. */
    Throttle throttle() {
        return throttle;
    }

    /** Now, in nanoseconds, on the clock of answer times ({@link #failureWaitNanos}). */
    long now() {
        return clock.getAsLong();
    }

    /** Tests: count time instead of measuring it. */
    void clock(LongSupplier c) {
        this.clock = c;
    }

    /**
     * How much longer a failure answer must wait, for a request (or step) that arrived at
     * {@code arrivedNanos} ({@link #now}): it goes out at arrival + the larger of the failure
     * delay and the throttle's penalty, so the work already done (a hash run for one user, none
     * for another) does not show in the answer's time whenever it took less than the delay.
     * Call it before the login's event is told (the event counts this failure).
     *
     * @param login the login looked up, or null
     */
    long failureWaitNanos(long arrivedNanos, AuthContext c, String login) {
        long delay = settings.failureDelay().toNanos();
        if (throttle != null) {
            delay = Math.max(delay, throttle.failurePenaltyNanos(c.clientAddress(), login));
        }
        return remaining(arrivedNanos, delay);
    }

    /** How much longer a success must wait: the penalty of its client address, if any (see {@link Throttle}). */
    long successWaitNanos(long arrivedNanos, AuthContext c) {
        return throttle == null ? 0 : remaining(arrivedNanos, throttle.addressPenaltyNanos(c.clientAddress()));
    }

    private long remaining(long arrivedNanos, long delayNanos) {
        if (delayNanos <= 0) {
            return 0;
        }
        return Math.max(0, delayNanos - (now() - arrivedNanos));
    }

    /** Counts Dovecot connections served now: +1 when one starts, -1 when it ends. */
    void dovecotConnections(int delta) {
        openDovecotConnections.addAndGet(delta);
    }

    /** Dovecot connections served now. */
    int dovecotConnections() {
        return openDovecotConnections.get();
    }

    /**
     * Where the throttle reports how many clients it is delaying now (read on each metrics
     * scrape: must be cheap and never block). Wired where the daemon is assembled.
     */
    void throttledClients(IntSupplier source) {
        this.throttledClients = java.util.Objects.requireNonNull(source, "source");
    }

    /** Clients the throttle is delaying now; 0 without a throttle. */
    int throttledClients() {
        return throttledClients.getAsInt();
    }

    /** Where the replica ({@code --replica-of}) reports its condition; cheap, never blocks. */
    void replica(java.util.function.Supplier<org.sasldb4j.store.postgresql.Replica.Status> status) {
        this.replica = status;
    }

    /** The replica's condition now, or null when the daemon serves no replica. */
    org.sasldb4j.store.postgresql.Replica.Status replicaStatus() {
        java.util.function.Supplier<org.sasldb4j.store.postgresql.Replica.Status> r = replica;
        return r == null ? null : r.get();
    }

    AuthBackend backend() {
        return backend.get();
    }

    /** Installs a new backend and returns the previous one (the caller closes it later). */
    AuthBackend swapBackend(AuthBackend next) {
        return backend.getAndSet(next);
    }

    /** A new connection number (Dovecot's CUID). */
    long nextConnectionId() {
        return connections.incrementAndGet();
    }

    String cookie() {
        return cookie;
    }

    /** This process's id, for SPID. */
    static long pid() {
        return ProcessHandle.current().pid();
    }
}
