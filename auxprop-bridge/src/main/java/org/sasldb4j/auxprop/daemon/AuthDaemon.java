package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running daemon: its sockets, the shared timer and watchdog, and the current backend.
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
    private final Watchdog watchdog;
    private final DaemonContext context;
    private final List<UnixListener> listeners = new ArrayList<>();
    private boolean closed;

    private AuthDaemon(DaemonConfig config, Supplier<AuthBackend> loader, AuthBackend first) {
        this.config = config;
        this.loader = loader;
        AtomicInteger n = new AtomicInteger();
        this.timer = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "authd-timer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // Cancelled expiry timers (the usual case: the client answered) must not pile up.
        timer.setRemoveOnCancelPolicy(true);
        this.watchdog = new Watchdog(timer, Duration.ofMillis(200));
        WorkLimiter limiter = config.memoryBudgetKib() > 0
                ? new WorkLimiter(config.memoryBudgetKib(), config.hashCostKib(), config.queueTimeout()) : null;
        VerificationCache cache = config.cacheTtl().isZero() || config.cacheTtl().isNegative()
                ? null : new VerificationCache(config.cacheTtl());
        this.context = new DaemonContext(config.settings(), timer, watchdog, first, limiter, cache);
    }

    /**
     * Opens the backend and binds the sockets.
     *
     * @param loader opens the store; throws (e.g. for unsafe permissions) to refuse to start
     * @throws IOException if a socket cannot be made safely
     */
    static AuthDaemon start(DaemonConfig config, Supplier<AuthBackend> loader) throws IOException {
        AuthBackend first = loader.get();
        AuthDaemon d = new AuthDaemon(config, loader, first);
        try {
            if (config.dovecotSocket() != null) {
                d.listeners.add(new UnixListener("dovecot", config.dovecotSocket(), config.socketGroup(),
                        config.maxConnections(), false, config.poolIdleTimeout(), ch -> new DovecotConnection(ch, d.context)));
            }
            if (config.saslauthdSocket() != null) {
                // One request per connection: handled on the accepting threads, no hand-off.
                d.listeners.add(new UnixListener("saslauthd", config.saslauthdSocket(), config.socketGroup(),
                        config.maxConnections(), true, config.poolIdleTimeout(), ch -> new SaslauthdConnection(ch, d.context)));
            }
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
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
        for (UnixListener l : listeners) {
            l.close(2000);
        }
        watchdog.close();
        timer.shutdownNow();
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
