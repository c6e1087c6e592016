package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import jdk.net.ExtendedSocketOptions;

/**
 * The saslauthd socket: one request per connection, as Cyrus's {@code ipc_unix.c} serves it.
 *
 * <p>An idle client must not hold a thread: one reception thread accepts every connection and
 * collects each request without blocking (a selector), and only a complete request goes to one of
 * {@link #WORKERS} worker threads for the password check. Replies are written without blocking
 * (a few bytes into a socket the client has not been sent anything on), so neither a worker nor
 * the timer that delays failures ever waits for a client.
 *
 * <p>Connections still sending their request are bounded ({@code maxConnections}); each must be
 * complete within the I/O timeout. When the bound is reached, a new connection makes room by
 * closing the longest-waiting incomplete connection of the peer (by its UNIX user, from
 * {@code SO_PEERCRED}) that holds the most of them: a flood of idle connections displaces its
 * own, never a client that sends its request at once, and never another user's.
 */
final class SaslauthdServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("org.sasldb4j.authd.saslauthd");
    /** Threads checking passwords: enough to keep a few slow (Argon2) checks from stalling others. */
    static final int WORKERS = 4;
    private static final long SWEEP_MILLIS = 100;

    private final Path path;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final DaemonContext ctx;
    private final int maxWaiting;
    private final int fields;
    private final ThreadPoolExecutor workers;
    private final Thread reception;
    /** Connections whose request is not complete yet, oldest first. */
    private final LinkedHashSet<Arrival> waiting = new LinkedHashSet<>();
    private final Map<Object, Integer> waitingByPeer = new HashMap<>();
    private volatile boolean closing;

    /**
     * Binds the socket (see {@link SocketFiles#bind}) and starts accepting.
     *
     * @param maxConnections connections that may be sending their request at once, and requests
     *     that may wait for a worker
     */
    SaslauthdServer(Path path, String group, int maxConnections, DaemonContext ctx) throws IOException {
        this.path = path.toAbsolutePath().normalize();
        this.ctx = ctx;
        this.maxWaiting = maxConnections;
        this.fields = ctx.settings().saslauthdClientAddress() ? 5 : 4;
        this.server = SocketFiles.bind(this.path, group, Math.max(64, maxConnections));
        this.selector = Selector.open();
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(maxConnections), r -> {
                    Thread t = new Thread(r, "authd-saslauthd-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.reception = new Thread(this::receive, "authd-saslauthd-accept");
        reception.setDaemon(true);
        reception.start();
        LOG.info(() -> "listening (saslauthd) on " + this.path);
    }

    Path path() {
        return path;
    }

    private void receive() {
        try {
            while (!closing) {
                selector.select(SWEEP_MILLIS);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.isAcceptable()) {
                        acceptAll();
                    } else if (k.isReadable()) {
                        Arrival a = (Arrival) k.attachment();
                        try {
                            a.readable();
                        } catch (RuntimeException e) {
                            // One connection's trouble must not stop the socket.
                            LOG.log(Level.WARNING, "saslauthd connection: unexpected " + Failures.describe(e), e);
                            a.close();
                        }
                    }
                }
                closeExpired();
            }
        } catch (ClosedSelectorException e) {
            // closing
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                LOG.log(Level.SEVERE, "saslauthd socket: reception stopped", e);
            }
        }
    }

    /**
     * Connections being received or checked now (for the metrics): those still sending their
     * request, plus those with a worker or queued for one. Not those whose failure answer is
     * being delayed on the timer.
     */
    int inProgress() {
        int receiving;
        synchronized (waiting) {
            receiving = waiting.size();
        }
        return receiving + workers.getActiveCount() + workers.getQueue().size();
    }

    private void acceptAll() {
        while (true) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                // EMFILE and the like: the next select retries; room is made by the sweep.
                LOG.warning(() -> "saslauthd: accept failed: " + e.getMessage());
                return;
            }
            if (ch == null) {
                return;
            }
            try {
                ch.configureBlocking(false);
                Arrival a = new Arrival(ch, peerOf(ch));
                makeRoomFor(a.peer);
                a.key = ch.register(selector, SelectionKey.OP_READ, a);
                synchronized (waiting) {
                    waiting.add(a);
                    waitingByPeer.merge(a.peer, 1, Integer::sum);
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "saslauthd: cannot handle a connection", e);
                ListenerShutdown.closeQuietly(ch);
            }
        }
    }

    /** At the bound: closes the oldest waiting connection of the peer holding the most. */
    private void makeRoomFor(Object newcomer) {
        Arrival victim = null;
        synchronized (waiting) {
            if (waiting.size() < maxWaiting) {
                return;
            }
            Object heaviest = null;
            int most = -1;
            for (Map.Entry<Object, Integer> e : waitingByPeer.entrySet()) {
                int c = e.getValue() + (e.getKey().equals(newcomer) ? 1 : 0);
                if (c > most) {
                    most = c;
                    heaviest = e.getKey();
                }
            }
            for (Arrival a : waiting) {
                if (a.peer.equals(heaviest)) {
                    victim = a;
                    break;
                }
            }
        }
        if (victim != null) {
            Arrival v = victim;
            LOG.fine(() -> "saslauthd: " + maxWaiting + " connections waiting for their request; closing the oldest of "
                    + v.peer);
            v.close();
        }
    }

    private void closeExpired() {
        long now = System.nanoTime();
        java.util.List<Arrival> expired = new java.util.ArrayList<>();
        synchronized (waiting) {
            for (Arrival a : waiting) {
                if (a.expires && now - a.deadline > 0) {
                    expired.add(a);
                }
            }
        }
        for (Arrival a : expired) {
            LOG.fine("saslauthd: request not received within the I/O timeout; closing");
            a.close();
        }
    }

    private static Object peerOf(SocketChannel ch) {
        try {
            return ch.getOption(ExtendedSocketOptions.SO_PEERCRED).user();
        } catch (IOException | UnsupportedOperationException e) {
            return "unknown peer";
        }
    }

    /** Stops accepting, removes the socket, and gives running checks {@code graceMillis} to finish. */
    void close(long graceMillis) {
        closing = true;
        selector.wakeup();
        try {
            reception.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ListenerShutdown.closeQuietly(server);
        try {
            selector.keys().forEach(k -> ListenerShutdown.closeQuietly(k.channel()));
            selector.close();
        } catch (IOException | ClosedSelectorException e) {
            // closing anyway
        }
        ListenerShutdown.removeSocket(path, LOG);
        ListenerShutdown.stopWorkers(workers, graceMillis);
    }

    @Override
    public void close() {
        close(ListenerShutdown.GRACE_MILLIS);
    }

    /** One connection whose request is still arriving. */
    private final class Arrival {
        final SocketChannel ch;
        final Object peer;
        final long deadline;
        /** False when the I/O timeout is zero (no deadline). */
        final boolean expires;
        final byte[] buf = new byte[SaslauthdRequest.maxLength(fields)];
        int received;
        SelectionKey key;
        /** An over-long request was refused: the rest is read and dropped until EOF or the deadline. */
        boolean draining;

        Arrival(SocketChannel ch, Object peer) {
            this.ch = ch;
            this.peer = peer;
            long timeout = ctx.settings().ioTimeout().toNanos();
            this.expires = timeout > 0;
            this.deadline = System.nanoTime() + Math.max(0, timeout);
        }

        void readable() {
            try {
                if (draining) {
                    drain();
                    return;
                }
                int n = ch.read(ByteBuffer.wrap(buf, received, buf.length - received));
                if (n < 0) {
                    LOG.finer("saslauthd client closed before its request was complete");
                    close();
                    return;
                }
                received += n;
                SaslauthdRequest req;
                try {
                    req = SaslauthdRequest.parse(buf, received, fields);
                } catch (SaslauthdRequest.FieldTooLongException e) {
                    LOG.warning(() -> "saslauthd request refused: " + e.getMessage());
                    wipe();
                    SaslauthdConnection.writeNow(ch, "NO");
                    // Closing with unread input would reset the connection before the client
                    // read its NO: read the rest first, briefly.
                    ch.shutdownOutput();
                    draining = true;
                    return;
                }
                if (req != null) {
                    handOff(req);
                }
            } catch (IOException e) {
                close();
            }
        }

        private void handOff(SaslauthdRequest req) {
            wipe();
            leaveWaiting();
            key.cancel();
            try {
                workers.execute(new SaslauthdConnection(ch, req, ctx));
            } catch (RejectedExecutionException e) {
                req.wipe();
                LOG.warning("saslauthd: every worker busy and " + maxWaiting + " requests queued; answering a"
                        + " temporary failure");
                SaslauthdConnection.writeNow(ch, SaslauthdConnection.TEMP_REPLY);
                ListenerShutdown.closeQuietly(ch);
            }
        }

        private void drain() throws IOException {
            ByteBuffer sink = ByteBuffer.allocate(4096);
            int n;
            while ((n = ch.read(sink)) > 0) {
                sink.clear();
            }
            if (n < 0) {
                close();
            }
        }

        /** The buffer holds the password: wiped before it is dropped. */
        private void wipe() {
            Arrays.fill(buf, 0, received, (byte) 0);
        }

        private void leaveWaiting() {
            synchronized (waiting) {
                if (waiting.remove(this)) {
                    waitingByPeer.computeIfPresent(peer, (p, c) -> c > 1 ? c - 1 : null);
                }
            }
        }

        void close() {
            wipe();
            leaveWaiting();
            if (key != null) {
                key.cancel();
            }
            ListenerShutdown.closeQuietly(ch);
        }
    }
}
