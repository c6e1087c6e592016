package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
 * One listening UNIX socket for long-lived connections (Dovecot: few connections, many requests
 * each): an accept loop on its own thread and a bounded pool running one handler per connection
 * (Java 17 has no virtual threads). When every handler thread is busy a new connection is closed
 * at once rather than queued: a queued Postfix would only time out after 10 s, a closed one
 * reconnects or answers 454 immediately. (The saslauthd socket is {@link SaslauthdServer}.)
 */
final class UnixListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("org.sasldb4j.authd");

    private final String name;
    private final Path path;
    private final ServerSocketChannel server;
    private final ThreadPoolExecutor pool;
    private final Function<SocketChannel, Runnable> handlers;
    private final java.util.List<Thread> acceptors = new java.util.ArrayList<>();
    private volatile boolean closing;

    /**
     * Binds the socket (see {@link SocketFiles#bind}) and starts accepting.
     *
     * @param name {@code dovecot} or {@code saslauthd}, for thread names and logs
     * @param maxConnections connections handled at once
     * @param handlers makes the handler of an accepted connection
     */
    UnixListener(String name, Path path, String group, int maxConnections, Function<SocketChannel, Runnable> handlers)
            throws IOException {
        this(name, path, group, maxConnections, DaemonConfig.DEFAULT_POOL_IDLE_TIMEOUT, handlers);
    }

    /** @param idleTimeout how long an idle pooled handler thread lives */
    UnixListener(String name, Path path, String group, int maxConnections, Duration idleTimeout,
            Function<SocketChannel, Runnable> handlers) throws IOException {
        this.name = name;
        this.path = path.toAbsolutePath().normalize();
        this.handlers = handlers;
        this.server = SocketFiles.bind(this.path, group, Math.max(64, maxConnections));
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(Math.min(4, maxConnections), maxConnections, idleTimeout.toMillis(), TimeUnit.MILLISECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "authd-" + name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        acceptors.add(new Thread(this::acceptLoop, "authd-" + name + "-accept"));
        acceptors.forEach(Thread::start);
        LOG.info(() -> "listening (" + name + ") on " + this.path);
    }

    Path path() {
        return path;
    }

    /** Accepts connections until closed and hands each to the pool. */
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
                pool.execute(handlers.apply(ch));
            } catch (RejectedExecutionException e) {
                LOG.warning(() -> name + ": all " + pool.getMaximumPoolSize() + " connection handlers busy; refusing a connection");
                ListenerShutdown.closeQuietly(ch);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, name + ": cannot handle a connection", e);
                ListenerShutdown.closeQuietly(ch);
            }
        }
    }

    /** Stops accepting, removes the socket, and waits up to {@code graceMillis} for handlers. */
    void close(long graceMillis) {
        closing = true;
        ListenerShutdown.closeQuietly(server);
        ListenerShutdown.removeSocket(path, LOG);
        pool.shutdown(); // an acceptor still running hands over nothing more
        try {
            for (Thread t : acceptors) {
                t.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopWorkers then interrupts the handlers at once
        }
        ListenerShutdown.stopWorkers(pool, graceMillis);
    }

    @Override
    public void close() {
        close(ListenerShutdown.GRACE_MILLIS);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
