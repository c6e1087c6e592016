package org.sasldb4j.store.postgresql;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreFormat;
import org.sasldb4j.store.StoreWriter;
import org.sasldb4j.store.UserId;

/**
 * Logins read straight from PostgreSQL, without a replica ({@code sasldb-authd -f
 * postgresql://…}, docs/replica.md "Direct mode"): a read-only store over a small bounded pool
 * of connections.
 *
 * <p>Every wait is bounded, so that a database that is down, paused or unreachable gives a
 * {@link StoreException} (the daemon's temporary failure, never a wrong password) in about
 * {@code poolWait} plus {@code queryTimeout}: a read waits at most {@code poolWait} for a free
 * connection, a new connection is given {@code queryTimeout} to open, and every answer from the
 * server {@code queryTimeout} to arrive. A connection that failed is closed, not reused.
 *
 * <p><b>Security:</b> values are secrets, copied for the caller to wipe; messages name the
 * database without its password.
 */
public final class DirectReads {
    private DirectReads() {}

    /**
     * Opens a pooled, read-only store on the database at {@code address} and checks that it
     * answers (one connection is opened now).
     *
     * @param poolSize connections open at most
     * @param poolWait longest wait for a free connection
     * @param queryTimeout longest wait for a new connection, and for each answer of the server
     * @throws StoreException if the database cannot be reached now, in one line
     */
    public static CredentialStore open(String address, int poolSize, Duration poolWait, Duration queryTimeout) {
        return open(ReplicaSource.of(PgConnector.of(address)), poolSize, poolWait, queryTimeout);
    }

    static CredentialStore open(ReplicaSource source, int poolSize, Duration poolWait, Duration queryTimeout) {
        if (poolSize < 1 || poolWait.isNegative() || queryTimeout.isNegative() || queryTimeout.isZero()) {
            throw new IllegalArgumentException("the pool size and timeouts must be positive");
        }
        Pooled p = new Pooled(source, poolSize, poolWait, queryTimeout);
        try {
            // Reachable now, or a clear error at start; the first connection also loads the driver
            // and its TLS and SCRAM code, so it is given longer than those that follow.
            p.connectTimeout = queryTimeout.compareTo(FIRST_CONNECT) > 0 ? queryTimeout : FIRST_CONNECT;
            p.read(c -> null);
            p.connectTimeout = queryTimeout;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    /** The longest wait for the first connection (which loads the driver's code). */
    private static final Duration FIRST_CONNECT = Duration.ofSeconds(10);

    private interface SqlWork<R> {
        R run(Connection c) throws SQLException;
    }

    private static final class Pooled implements CredentialStore {
        private final ReplicaSource source;
        private final int poolSize;
        private final Duration poolWait;
        private final Duration queryTimeout;
        private final Semaphore permits;
        private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
        /** Opens connections, so that a connect that hangs (a paused server) can be given up on. */
        private final ExecutorService connecting = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sasldb4j-pg-connect");
            t.setDaemon(true);
            return t;
        });
        private volatile boolean closed;
        private volatile Duration connectTimeout;

        Pooled(ReplicaSource source, int poolSize, Duration poolWait, Duration queryTimeout) {
            this.source = source;
            this.poolSize = poolSize;
            this.poolWait = poolWait;
            this.queryTimeout = queryTimeout;
            this.permits = new Semaphore(poolSize, true);
            this.connectTimeout = queryTimeout;
        }

        <R> R read(SqlWork<R> work) {
            if (closed) {
                throw new StoreException(source.name() + ": the store is closed");
            }
            try {
                if (!permits.tryAcquire(poolWait.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new StoreException("no connection to " + source.name() + " free within "
                            + poolWait.toMillis() + " ms (all " + poolSize + " busy: --pool-size, --pool-wait);"
                            + " try again");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while waiting for a connection to " + source.name());
            }
            try {
                Connection c = idle.pollFirst();
                if (c == null) {
                    c = connect();
                }
                try {
                    R r = work.run(c);
                    idle.addFirst(c);
                    return r;
                } catch (SQLException | RuntimeException e) {
                    closeQuietly(c); // its state is unknown: a fresh one next time
                    if (e instanceof StoreException se) {
                        throw se;
                    }
                    throw new StoreException("cannot read " + source.name() + ": "
                            + (e instanceof SQLException s ? ReplicaSync.describe(s) : e.toString()), e);
                }
            } finally {
                permits.release();
            }
        }

        private Connection connect() {
            Future<Connection> f = connecting.submit(() -> {
                Connection c = source.connect();
                try {
                    c.setNetworkTimeout(Runnable::run, Math.toIntExact(queryTimeout.toMillis()));
                    c.setAutoCommit(true);
                    c.setReadOnly(true);
                } catch (SQLException e) {
                    closeQuietly(c);
                    throw e;
                }
                return c;
            });
            try {
                return f.get(connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // Closed when it opens after all: nobody is waiting for it.
                connecting.execute(() -> {
                    try {
                        closeQuietly(f.get());
                    } catch (InterruptedException | ExecutionException ignored) {
                        // Never opened.
                    }
                });
                throw new StoreException("cannot connect to " + source.name() + ": no answer within "
                        + connectTimeout.toMillis() + " ms; try again");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof StoreException se) {
                    throw se;
                }
                throw new StoreException("cannot connect to " + source.name() + ": "
                        + (cause instanceof SQLException s ? ReplicaSync.describe(s) : String.valueOf(cause)), cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                f.cancel(true);
                throw new StoreException("interrupted while connecting to " + source.name());
            }
        }

        @Override
        public Path path() {
            return Path.of(source.name());
        }

        @Override
        public String name() {
            return source.name();
        }

        @Override
        public StoreFormat format() {
            return StoreFormat.POSTGRESQL;
        }

        @Override
        public Optional<byte[]> get(UserId user, String property) {
            return read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT value FROM sasldb4j.records"
                        + " WHERE authid = ? AND realm = ? AND property = ?")) {
                    ps.setString(1, user.authid());
                    ps.setString(2, user.realm());
                    ps.setString(3, property);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.<byte[]>empty();
                    }
                }
            });
        }

        @Override
        public List<Entry> user(UserId user) {
            return read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT property, value FROM sasldb4j.records"
                        + " WHERE authid = ? AND realm = ? ORDER BY property")) {
                    ps.setString(1, user.authid());
                    ps.setString(2, user.realm());
                    List<Entry> out = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(Entry.of(user.authidBytes(), user.realmBytes(),
                                    rs.getString(1).getBytes(StandardCharsets.UTF_8), rs.getBytes(2)));
                        }
                    }
                    return out;
                }
            });
        }

        @Override
        public void forEach(Consumer<? super Entry> action, Consumer<? super DamagedStoreException> onDamage) {
            read(c -> {
                c.setAutoCommit(false); // a cursor (fetch size) needs a transaction
                try (PreparedStatement ps = c.prepareStatement("SELECT authid, realm, property, value"
                        + " FROM sasldb4j.records ORDER BY authid, realm, property")) {
                    ps.setFetchSize(5_000);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            action.accept(Entry.of(rs.getString(1).getBytes(StandardCharsets.UTF_8),
                                    rs.getString(2).getBytes(StandardCharsets.UTF_8),
                                    rs.getString(3).getBytes(StandardCharsets.UTF_8), rs.getBytes(4)));
                        }
                    }
                } finally {
                    c.rollback();
                    c.setAutoCommit(true);
                }
                return null;
            });
        }

        @Override
        public <R> R write(Function<StoreWriter, R> work) {
            throw new StoreException(source.name() + " is opened for logins only: change users with saslpasswd -f "
                    + source.name());
        }

        @Override
        public void close() {
            closed = true;
            Connection c;
            while ((c = idle.pollFirst()) != null) {
                closeQuietly(c);
            }
            connecting.shutdown();
        }

        @Override
        public String toString() {
            return "DirectReads[" + source.name() + ", pool " + poolSize + "]";
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            // Broken already.
        }
    }
}
