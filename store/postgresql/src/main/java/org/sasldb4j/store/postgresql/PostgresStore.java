package org.sasldb4j.store.postgresql;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreFormat;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.StoreStats;
import org.sasldb4j.store.StoreWriter;
import org.sasldb4j.store.UserId;

/**
 * A store in a PostgreSQL database: table {@code sasldb4j.records} (docs/postgresql.md).
 *
 * <ul>
 *   <li>One connection, used under a lock, so instances are thread-safe; it is opened again when
 *       lost (a restarted server), and a read that met the loss is retried once on the new one.
 *       A daemon that needs parallel reads uses several stores (a pool), not one.
 *   <li>Single reads run in autocommit (one round trip, each sees everything committed before
 *       it). {@link #forEach} runs in one transaction with a cursor ({@link #FETCH_SIZE} rows at a
 *       time), so a store of millions of users is never held in memory.
 *   <li>Each {@link #write} is one transaction that first takes the writers' advisory lock
 *       ({@link Schema#WRITE_LOCK}, the one the change-log trigger takes too): writers queue up
 *       front instead of deadlocking on each other's rows, and the change log's order is commit
 *       order. A serialization failure or deadlock (with a client that does not take the lock
 *       first) or a connection lost before the commit reruns the work, up to
 *       {@link #ATTEMPTS} times; the contract allows it.
 *   <li>{@link #path()} is a name, never a file: {@code Path.of(redacted address)}.
 * </ul>
 */
final class PostgresStore implements CredentialStore {
    static final int FETCH_SIZE = 1000;
    static final int ATTEMPTS = 5;

    private final PgConnector connector;
    private final String name;
    private final boolean readOnly;
    private final ReentrantLock lock = new ReentrantLock();
    private Connection connection;
    /** Volatile: {@link #stats} reads it without the lock a write may hold. */
    private volatile boolean closed;
    /** A second connection for {@link #stats}, which must not wait for a write holding the first. */
    private final ReentrantLock statsLock = new ReentrantLock();
    private Connection statsConnection;

    private PostgresStore(PgConnector connector, String name, boolean readOnly, Connection connection) {
        this.connector = connector;
        this.name = name;
        this.readOnly = readOnly;
        this.connection = connection;
    }

    /** Connects, then creates or checks the schema as {@code options} ask. */
    static PostgresStore open(String address, StoreOptions options) {
        PgConnector connector = PgConnector.of(address);
        String name = connector.redactedAddress();
        Connection c = connector.connect();
        try {
            if (options.access() == StoreOptions.Access.CREATE) {
                Schema.createOrUpgrade(c, name);
            } else {
                Schema.check(c, name);
            }
            c.setAutoCommit(true);
        } catch (SQLException e) {
            closeQuietly(c);
            throw PgErrors.failure("cannot open", name, e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        return new PostgresStore(connector, name, options.access() == StoreOptions.Access.READ_ONLY, c);
    }

    @Override
    public Path path() {
        return Path.of(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public StoreFormat format() {
        return StoreFormat.POSTGRESQL;
    }

    @Override
    public Optional<byte[]> get(UserId user, String property) {
        return read(c -> Records.get(c, user, property));
    }

    @Override
    public List<Entry> user(UserId user) {
        return read(c -> Records.user(c, user));
    }

    /**
     * Visits every record in the Cyrus key order. The key columns are text in the "C" collation,
     * which compares UTF-8 bytes; ordering by the tuple (authid, realm, property) is the bytewise
     * order of {@code authid \0 realm \0 property} because no component contains NUL: where one
     * component is a prefix of the other, the key's NUL sorts below any byte, as the shorter text
     * sorts first.
     */
    @Override
    public void forEach(Consumer<? super Entry> action, Consumer<? super DamagedStoreException> onDamage) {
        locked(() -> {
            Connection c = connection();
            try {
                c.setAutoCommit(false);
                try (PreparedStatement s = c.prepareStatement("SELECT authid, realm, property, value"
                        + " FROM sasldb4j.records ORDER BY authid, realm, property")) {
                    s.setFetchSize(FETCH_SIZE);
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            byte[] value = r.getBytes(4);
                            Entry e;
                            try {
                                e = Entry.of(Records.utf8(r.getString(1)), Records.utf8(r.getString(2)),
                                        Records.utf8(r.getString(3)), value);
                            } catch (IllegalArgumentException bad) {
                                // An empty property name, written by another client: skip or stop, as the caller says.
                                onDamage.accept(new DamagedStoreException(name + ": record of " + r.getString(1) + "@"
                                        + r.getString(2) + " has an unusable key: " + bad.getMessage()));
                                continue;
                            } finally {
                                java.util.Arrays.fill(value, (byte) 0);
                            }
                            action.accept(e);
                        }
                    }
                }
            } catch (SQLException e) {
                dropIfLost(e);
                throw PgErrors.failure("cannot read", name, e);
            } finally {
                endTransaction(c);
                if (connection == c) {
                    restoreAutoCommit(c);
                }
            }
            return null;
        });
    }

    @Override
    public <R> R write(Function<StoreWriter, R> work) {
        if (readOnly) {
            throw new StoreException(name + " was opened read-only");
        }
        return locked(() -> {
            for (int attempt = 1; ; attempt++) {
                Connection c = connection();
                PostgresWriter writer = new PostgresWriter(c, name);
                boolean committing = false;
                try {
                    c.setAutoCommit(false);
                    try (java.sql.Statement s = c.createStatement()) {
                        s.execute("SELECT pg_advisory_xact_lock(" + Schema.WRITE_LOCK + ")");
                    }
                    R result = work.apply(writer);
                    writer.flush();
                    committing = true;
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    SQLException sql = e instanceof SQLException s ? s : PgErrors.sqlCause(e);
                    boolean lost = sql != null && PgErrors.isConnectionLoss(sql);
                    boolean again = sql != null && (PgErrors.isRetryable(sql) || lost && !committing)
                            && attempt < ATTEMPTS;
                    writer.invalidate();
                    if (lost) {
                        drop();
                    } else {
                        endTransaction(c);
                    }
                    if (again) {
                        backOff(attempt);
                        continue;
                    }
                    if (lost && committing) {
                        throw new StoreException("cannot write to " + name + ": the connection was lost while"
                                + " committing; the change may or may not have been made: check, then repeat it");
                    }
                    if (e instanceof SQLException s) {
                        throw PgErrors.failure("cannot write to", name, s);
                    }
                    throw (RuntimeException) e;
                } finally {
                    writer.invalidate();
                    if (connection == c) {
                        restoreAutoCommit(c);
                    }
                }
            }
        });
    }

    /**
     * The size of the records table with its index and TOAST data; PostgreSQL has no fixed
     * capacity nor reader table. Read on a connection of its own, so it never waits for a write
     * in progress on this store; never throws.
     */
    @Override
    public StoreStats stats() {
        statsLock.lock();
        try {
            if (isClosed()) {
                return StoreStats.NONE;
            }
            if (statsConnection == null || statsConnection.isClosed()) {
                statsConnection = connector.connect();
                statsConnection.setAutoCommit(true);
            }
            try (PreparedStatement s = statsConnection.prepareStatement(
                    "SELECT pg_total_relation_size('sasldb4j.records')"); ResultSet r = s.executeQuery()) {
                r.next();
                return new StoreStats(OptionalLong.of(r.getLong(1)), OptionalLong.empty(), OptionalInt.empty(),
                        OptionalInt.empty());
            }
        } catch (SQLException | RuntimeException e) {
            if (statsConnection != null) {
                closeQuietly(statsConnection);
                statsConnection = null;
            }
            return StoreStats.NONE;
        } finally {
            statsLock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                if (connection != null) {
                    closeQuietly(connection);
                    connection = null;
                }
            }
        } finally {
            lock.unlock();
        }
        closeStatsConnection();
    }

    private void closeStatsConnection() {
        statsLock.lock();
        try {
            if (statsConnection != null) {
                closeQuietly(statsConnection);
                statsConnection = null;
            }
        } finally {
            statsLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "PostgresStore[" + name + "]";
    }

    private boolean isClosed() {
        return closed;
    }

    private interface SqlRead<R> {
        R run(Connection c) throws SQLException;
    }

    /** A read in autocommit; on a lost connection, once more on a new one. */
    private <R> R read(SqlRead<R> work) {
        return locked(() -> {
            for (int attempt = 1; ; attempt++) {
                Connection c = connection();
                try {
                    return work.run(c);
                } catch (SQLException e) {
                    if (PgErrors.isConnectionLoss(e)) {
                        drop();
                        if (attempt < 2) {
                            continue;
                        }
                    }
                    throw PgErrors.failure("cannot read", name, e);
                }
            }
        });
    }

    private <R> R locked(java.util.function.Supplier<R> work) {
        lock.lock();
        try {
            if (closed) {
                throw new StoreException(name + " is closed");
            }
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /** The connection, opened again if it was lost; autocommit on. Called under the lock. */
    private Connection connection() {
        if (connection == null) {
            Connection c = connector.connect();
            try {
                c.setAutoCommit(true);
            } catch (SQLException e) {
                closeQuietly(c);
                throw PgErrors.failure("cannot open", name, e);
            }
            connection = c;
        }
        return connection;
    }

    private void drop() {
        if (connection != null) {
            closeQuietly(connection);
            connection = null;
        }
    }

    private void dropIfLost(SQLException e) {
        if (PgErrors.isConnectionLoss(e)) {
            drop();
        }
    }

    private void endTransaction(Connection c) {
        try {
            if (!c.isClosed() && !c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException e) {
            drop();
        }
    }

    private void restoreAutoCommit(Connection c) {
        try {
            if (!c.isClosed()) {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            drop();
        }
    }

    /** A short random pause, longer each attempt, so that two retrying writers do not collide again. */
    private static void backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L * attempt + 6));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while retrying a write");
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // Nothing uncommitted is kept: the server rolls back a closed session.
        }
    }
}
