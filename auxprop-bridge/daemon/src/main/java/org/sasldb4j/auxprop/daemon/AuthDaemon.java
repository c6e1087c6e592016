package org.sasldb4j.auxprop.daemon;

import com.github.benmanes.caffeine.cache.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running daemon: its sockets, the shared timer, the writer threads, the watchdog (on a
 * thread of its own, so that no work of any client can delay a timeout), and the current backend.
 *
 * <p>{@link #reload()} opens the store again (for SIGHUP: a store replaced by a new file, changed
 * permissions) and empties the verification cache; the old backend is closed once requests
 * that may still use it have had time to finish. {@link #close()} stops accepting, removes the
 * sockets and closes the store.
 */
final class AuthDaemon implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("org.sasldb4j.authd");

    private final DaemonConfig config;
    private final Supplier<AuthBackend> loader;
    private final ScheduledThreadPoolExecutor timer;
    private final ScheduledThreadPoolExecutor watchdogTimer;
    private final ExecutorService writers;
    private final Watchdog watchdog;
    private final DaemonContext context;
    private final List<AutoCloseable> listeners = new ArrayList<>();
    private boolean closed;

    private AuthDaemon(DaemonConfig config, WorkLimiter limiter, Supplier<AuthBackend> loader, AuthBackend first) {
        this.config = config;
        this.loader = loader;
        this.timer = new ScheduledThreadPoolExecutor(2, threads("authd-timer-"));
        // Cancelled expiry timers (the usual case: the client answered) must not pile up.
        timer.setRemoveOnCancelPolicy(true);
        this.watchdogTimer = new ScheduledThreadPoolExecutor(1, threads("authd-watchdog-"));
        this.watchdog = new Watchdog(watchdogTimer, Duration.ofMillis(200));
        // Unbounded in threads, bounded in use: each connection has at most one flush running.
        this.writers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                threads("authd-writer-"));
        VerificationCache cache = config.cacheTtl().isZero() || config.cacheTtl().isNegative()
                ? null : new VerificationCache(config.cacheTtl());
        Throttle throttle = config.throttle().enabled()
                ? new Throttle(config.throttle(), config.settings().defaultRealm(), Ticker.systemTicker()) : null;
        this.context = new DaemonContext(config.settings(), timer, writers, watchdog, first, limiter, cache, throttle);
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Opens the backend and binds the sockets.
     *
     * @param loader opens the store; throws (e.g. for unsafe permissions) to refuse to start
     * @throws IOException if a socket cannot be made safely
     */
    static AuthDaemon start(DaemonConfig config, Supplier<AuthBackend> loader) throws IOException {
        return start(config, limiterFor(config), loader);
    }

    /** The hashing memory budget of {@code config}, or null for none (a budget of 0). */
    static WorkLimiter limiterFor(DaemonConfig config) {
        return config.memoryBudgetKib() > 0
                ? new WorkLimiter(config.memoryBudgetKib(), config.hashCostKib(), config.queueTimeout()) : null;
    }

    /**
     * {@link #start(DaemonConfig, Supplier)} with a given hashing budget ({@link #limiterFor}),
     * which other work of the daemon shares (re-hashing at login, {@link RehashQueue}).
     */
    static AuthDaemon start(DaemonConfig config, WorkLimiter limiter, Supplier<AuthBackend> loader)
            throws IOException {
        AuthBackend first = loader.get();
        AuthDaemon d = new AuthDaemon(config, limiter, loader, first);
        try {
            if (config.dovecotSocket() != null) {
                d.listeners.add(new UnixListener("dovecot", config.dovecotSocket(), config.socketGroup(),
                        config.maxConnections(), config.poolIdleTimeout(), ch -> new DovecotConnection(ch, d.context)));
            }
            if (config.saslauthdSocket() != null) {
                d.listeners.add(new SaslauthdServer(config.saslauthdSocket(), config.socketGroup(),
                        config.maxConnections(), d.context));
            }
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    /**
     * Serves {@code /metrics} on {@code address} (see {@link MetricsEndpoint}) until the daemon
     * closes, and counts every login from now on.
     *
     * @return the port listened on
     * @throws IOException if the address cannot be bound
     */
    synchronized int serveMetrics(java.net.InetSocketAddress address) throws IOException {
        SaslauthdServer saslauthd = null;
        for (AutoCloseable l : listeners) {
            if (l instanceof SaslauthdServer s) {
                saslauthd = s;
            }
        }
        SaslauthdServer sl = saslauthd;
        MetricsEndpoint m = MetricsEndpoint.start(address, context,
                config.dovecotSocket() == null ? null : context::dovecotConnections, sl == null ? null : sl::inProgress);
        listeners.add(m);
        context.logins().add(m);
        Throttle throttle = context.throttle();
        if (throttle != null) {
            context.throttledClients(throttle::delayedClients);
        }
        return m.port();
    }

    DaemonContext context() {
        return context;
    }

    /**
     * Reopens the store and forgets cached verifications. On failure the old store stays in use.
     *
     * @return true if the store was reopened
     */
    synchronized boolean reload() {
        if (closed) {
            return false;
        }
        AuthBackend next;
        try {
            next = loader.get();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "reload failed, keeping the store open before: " + e.getMessage());
            return false;
        }
        AuthBackend old = context.swapBackend(next);
        if (context.cache() != null) {
            context.cache().clear();
        }
        // Requests that fetched the old backend finish within the request timeout.
        long grace = config.settings().requestTimeout().plusSeconds(5).toMillis();
        timer.schedule(() -> closeQuietly(old), grace, TimeUnit.MILLISECONDS);
        LOG.info("reloaded: store reopened" + (context.cache() != null ? ", verification cache emptied" : ""));
        return true;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AutoCloseable l : listeners) {
            try {
                l.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing a socket failed", e);
            }
        }
        watchdog.close();
        watchdogTimer.shutdownNow();
        timer.shutdownNow();
        writers.shutdownNow();
        closeQuietly(context.backend());
        LOG.info("stopped");
    }

    private static void closeQuietly(AuthBackend b) {
        try {
            b.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "closing the store failed", e);
        }
    }

}
