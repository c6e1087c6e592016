package org.sasldb4j.store.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.PermissionPolicy;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreFormat;
import org.sasldb4j.store.StoreStats;
import org.sasldb4j.store.StoreNotFoundException;
import org.sasldb4j.store.StoreWriter;
import org.sasldb4j.store.UserId;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * A store in one SQLite file: the table of {@link Schema}, in WAL mode.
 *
 * <ul>
 *   <li>WAL: readers (this program, Cyrus's sql plugin) never block the writer nor it them; each
 *       read statement sees everything committed before it started.
 *   <li>Each {@link #write} is one {@code BEGIN IMMEDIATE} transaction: the write lock is taken up
 *       front, so two writers queue on the busy timeout instead of failing on a lock upgrade.
 *   <li>{@code synchronous=FULL}: atomicity against SIGKILL comes from WAL plus the transaction
 *       alone (a commit is whole in the WAL or absent); FULL adds an fsync of the WAL per commit
 *       so a password change reported as done also survives a power cut. One fsync per command
 *       or batch is cheap next to JVM start-up.
 *   <li>{@code secure_delete=ON}: replaced and deleted values are zeroed in the database file
 *       (Cyrus leaves them in free space).
 * </ul>
 *
 * <p>One JDBC connection per store, used under a lock, so instances are thread-safe.
 */
final class SqliteStore implements CredentialStore {
    /** Long enough for another process's batch of many thousand users to commit. */
    static final int BUSY_TIMEOUT_MS = 30_000;
    private static final int SQLITE_OPEN_NOFOLLOW = 0x01000000;

    private final Path path;
    private final boolean readOnly;
    private final Connection connection;
    private final Records records;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;
    /** Whether the side files were aligned after a commit (the WAL may first appear then). */
    private boolean alignedAfterWrite;

    private SqliteStore(Path path, boolean readOnly, Connection connection) {
        this.path = path;
        this.readOnly = readOnly;
        this.connection = connection;
        this.records = new Records(connection, path);
    }

    static SqliteStore open(Path path, boolean readOnly) {
        long size = sizeOf(path);
        if (readOnly && size == 0) {
            throw new StoreException(path + " is empty; open it for writing to initialise it as a store");
        }
        Connection c = connect(path);
        try {
            prepare(c, path, readOnly, size == 0);
        } catch (SQLException e) {
            closeQuietly(c);
            throw SqlErrors.failure("cannot open", path, e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        SqliteStore store = new SqliteStore(path, readOnly, c);
        store.alignSideFiles();
        return store;
    }

    /**
     * Opens the existing file read-write (SQLite falls back to a read-only descriptor when the
     * file is not writable) and never creates it: the opener created it with the right mode.
     * A read-only store is read-write at the file level but {@code query_only} at the SQL level,
     * so that it can still clean up the WAL it shares with writers.
     */
    private static Connection connect(Path path) {
        // SQLITE_OPEN_NOFOLLOW (SQLite 3.31; the driver has no constant for it): the database is
        // never opened through a link, which a user who may write its directory (the readers'
        // group, see docs/sqlite.md) could have planted after the opener's checks.
        java.util.Properties p = new java.util.Properties();
        p.setProperty("open_mode", Integer.toString(SQLiteOpenMode.READWRITE.flag | SQLITE_OPEN_NOFOLLOW));
        SQLiteConfig cfg = new SQLiteConfig(p);
        cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
        // A file: URI with the path percent-encoded: a plain path containing '?' or '#' would be
        // cut at it by the driver's URL parsing.
        String url = "jdbc:sqlite:file:" + path.toAbsolutePath().toUri().getRawPath();
        try {
            return cfg.createConnection(url);
        } catch (SQLException e) {
            throw SqlErrors.failure("cannot open", path, e);
        }
    }

    /** Initialises a blank file, refuses a foreign one, then sets the connection's pragmas. */
    private static void prepare(Connection c, Path path, boolean readOnly, boolean blank) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (readOnly) {
                s.execute("PRAGMA query_only = ON");
            } else if (blank) {
                // Only a zero-byte file is initialised: a SQLite file without our table is someone
                // else's. The check is repeated inside the write lock, since another process may be
                // initialising the same file right now.
                s.execute("PRAGMA encoding = 'UTF-8'");
                s.execute("BEGIN IMMEDIATE");
                try {
                    Schema.createIfBlank(c);
                    s.execute("COMMIT");
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(s);
                    throw e;
                }
            }
            Schema.check(c, path);
            if (!readOnly) {
                enableWal(s);
                s.execute("PRAGMA synchronous = FULL");
                s.execute("PRAGMA secure_delete = ON");
            }
        }
    }

    /**
     * Switches the file to WAL (a persistent setting, so every later opener, Cyrus included,
     * uses it). Done after the table exists: a crash in between leaves a valid store in rollback
     * mode, which the next writer switches.
     */
    private static void enableWal(Statement s) throws SQLException {
        if ("wal".equalsIgnoreCase(Schema.string(s, "PRAGMA journal_mode"))) {
            return;
        }
        try {
            Schema.string(s, "PRAGMA journal_mode = WAL");
        } catch (SQLException e) {
            if (SqlErrors.primaryCode(e) != 5) {
                throw e;
            }
            // Others hold the file open in rollback mode; it still works, a later open switches it.
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public StoreFormat format() {
        return StoreFormat.SQLITE;
    }

    /**
     * The size of the database file plus its write-ahead log (where recent commits live until a
     * checkpoint); SQLite has no fixed capacity nor reader table. Read from the file system, not
     * the connection: it takes neither the connection's lock nor the database's.
     */
    @Override
    public StoreStats stats() {
        try {
            Path wal = path.resolveSibling(path.getFileName() + "-wal");
            long walSize = Files.exists(wal, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? Files.size(wal) : 0;
            return new StoreStats(OptionalLong.of(Files.size(path) + walSize), OptionalLong.empty(),
                    OptionalInt.empty(), OptionalInt.empty());
        } catch (IOException e) {
            return StoreStats.NONE;
        }
    }

    @Override
    public Optional<byte[]> get(UserId user, String property) {
        return locked("cannot read", () -> records.get(user, property));
    }

    @Override
    public List<Entry> user(UserId user) {
        return locked("cannot read", () -> records.user(user));
    }

    @Override
    public void forEach(Consumer<? super Entry> action, Consumer<? super DamagedStoreException> onDamage) {
        locked("cannot read", () -> {
            records.forEach(action, onDamage);
            return null;
        });
    }

    /**
     * Runs the work in one {@code BEGIN IMMEDIATE} transaction. It is never retried here: the
     * busy timeout already waits for other writers, and nothing else makes a retry succeed.
     */
    @Override
    public <R> R write(Function<StoreWriter, R> work) {
        if (readOnly) {
            throw new StoreException(path + " was opened read-only");
        }
        return locked("cannot write to", () -> {
            SqliteWriter writer = new SqliteWriter(records, path);
            try (Statement s = connection.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                boolean committed = false;
                try {
                    R result = work.apply(writer);
                    s.execute("COMMIT");
                    committed = true;
                    return result;
                } finally {
                    writer.invalidate();
                    if (!committed) {
                        rollbackQuietly(s);
                    }
                }
            } finally {
                // The WAL is created by the first write if no read made it already.
                if (!alignedAfterWrite) {
                    alignedAfterWrite = true;
                    alignSideFiles();
                }
            }
        });
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                records.close();
                closeQuietly(connection);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Side files get the data file's mode and group (SQLite copies only the mode, and only at creation). */
    private void alignSideFiles() {
        PermissionPolicy.alignSideFile(path, SqliteBackend.walFile(path));
        PermissionPolicy.alignSideFile(path, SqliteBackend.shmFile(path));
    }

    private interface SqlWork<R> {
        R run() throws SQLException;
    }

    private <R> R locked(String what, SqlWork<R> work) {
        lock.lock();
        try {
            if (closed) {
                throw new StoreException(path + " is closed");
            }
            return work.run();
        } catch (SQLException e) {
            throw SqlErrors.failure(what, path, e);
        } finally {
            lock.unlock();
        }
    }

    private static void rollbackQuietly(Statement s) {
        try {
            s.execute("ROLLBACK");
        } catch (SQLException e) {
            // SQLite already rolled back (e.g. after an I/O error); nothing is committed.
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // Nothing uncommitted is left; the file stays consistent.
        }
    }

    private static long sizeOf(Path path) {
        try {
            return Files.size(path);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new StoreNotFoundException(path + ": no such store");
        } catch (IOException e) {
            throw new StoreException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }
}
