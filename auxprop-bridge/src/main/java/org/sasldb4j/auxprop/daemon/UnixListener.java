package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One listening UNIX socket, in one of two shapes:
 * <ul>
 *   <li><b>pooled</b> (Dovecot: few long-lived connections, many requests each): an accept loop
 *       on its own thread and a bounded pool running one handler per connection (Java 17 has no
 *       virtual threads). When every handler thread is busy a new connection is closed at once
 *       rather than queued: a queued Postfix would only time out after 10 s, a closed one
 *       reconnects or answers 454 immediately.
 *   <li><b>inline</b> (saslauthd: one request per connection): a few threads that each accept a
 *       connection and handle it themselves, as saslauthd's preforked processes do. No hand-off
 *       between threads per request; while all of them are busy, new connections wait in the
 *       socket's backlog.
 * </ul>
 */
final class UnixListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("org.sasldb4j.authd");

    private final String name;
    private final Path path;
    private final ServerSocketChannel server;
    private final ThreadPoolExecutor pool; // null when inline
    private final Function<SocketChannel, Runnable> handlers;
    private final java.util.List<Thread> acceptors = new java.util.ArrayList<>();
    private volatile boolean closing;

    /** Threads of an inline listener: enough to keep a few slow (Argon2) checks from stalling it. */
    static final int INLINE_THREADS = 4;

    /**
     * Binds the socket (see {@link SocketFiles#bind}) and starts accepting.
     *
     * @param name {@code dovecot} or {@code saslauthd}, for thread names and logs
     * @param maxConnections connections handled at once
     * @param handlers makes the handler of an accepted connection
     */
    UnixListener(String name, Path path, String group, int maxConnections, Function<SocketChannel, Runnable> handlers)
            throws IOException {
        this(name, path, group, maxConnections, false, DaemonConfig.DEFAULT_POOL_IDLE_TIMEOUT, handlers);
    }

    /**
     * @param inline true for one-request connections: {@link #INLINE_THREADS} threads accept and
     *     handle connections themselves (at most {@code maxConnections} of them)
     * @param idleTimeout how long an idle pooled handler thread lives (pooled shape only)
     */
    UnixListener(String name, Path path, String group, int maxConnections, boolean inline, Duration idleTimeout,
            Function<SocketChannel, Runnable> handlers) throws IOException {
        this.name = name;
        this.path = path.toAbsolutePath().normalize();
        this.handlers = handlers;
        this.server = SocketFiles.bind(this.path, group, Math.max(64, maxConnections));
        AtomicInteger n = new AtomicInteger();
        if (inline) {
            this.pool = null;
            for (int i = 0; i < Math.min(INLINE_THREADS, maxConnections); i++) {
                Thread t = new Thread(this::acceptLoop, "authd-" + name + "-" + n.incrementAndGet());
                t.setDaemon(true);
                acceptors.add(t);
            }
        } else {
            this.pool = new ThreadPoolExecutor(Math.min(4, maxConnections), maxConnections, idleTimeout.toMillis(),
                    TimeUnit.MILLISECONDS,
                    new SynchronousQueue<>(), r -> {
                        Thread t = new Thread(r, "authd-" + name + "-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            acceptors.add(new Thread(this::acceptLoop, "authd-" + name + "-accept"));
        }
        acceptors.forEach(Thread::start);
        LOG.info(() -> "listening (" + name + ") on " + this.path);
    }

    Path path() {
        return path;
    }

    /**
     * Accepts connections until closed. Pooled: hands each to the pool. Inline: handles it on
     * this thread before accepting the next.
     */
    private void acceptLoop() {
        while (!closing) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException e) {
                // EMFILE and the like: back off instead of spinning.
                LOG.warning(() -> name + ": accept failed: " + e.getMessage());
                sleep(100);
                continue;
            }
            try {
                if (pool == null) {
                    handlers.apply(ch).run();
                } else {
                    pool.execute(handlers.apply(ch));
                }
            } catch (RejectedExecutionException e) {
                LOG.warning(() -> name + ": all " + pool.getMaximumPoolSize() + " connection handlers busy; refusing a connection");
                closeQuietly(ch);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, name + ": cannot handle a connection", e);
                closeQuietly(ch);
            }
        }
    }

    /** Stops accepting, removes the socket, and waits up to {@code graceMillis} for handlers. */
    void close(long graceMillis) {
        closing = true;
        closeQuietly(server);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warning(() -> "cannot remove " + path + ": " + e.getMessage());
        }
        if (pool == null) {
            joinInline(graceMillis);
            return;
        }
        pool.shutdown();
        try {
            for (Thread t : acceptors) {
                t.join(1000);
            }
            if (!pool.awaitTermination(graceMillis, TimeUnit.MILLISECONDS)) {
                // Handlers blocked on idle clients: their channels are closed by interrupting them.
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void joinInline(long graceMillis) {
        long deadline = System.currentTimeMillis() + graceMillis;
        try {
            for (Thread t : acceptors) {
                t.join(Math.max(1, deadline - System.currentTimeMillis()));
                if (t.isAlive()) {
                    t.interrupt(); // a handler blocked on an idle client: interrupting closes its channel
                }
            }
        } catch (InterruptedException e) {
            acceptors.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(2000);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // Nothing more to do.
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
