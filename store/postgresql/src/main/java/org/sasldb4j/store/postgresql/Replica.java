package org.sasldb4j.store.postgresql;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.postgresql.PGConnection;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreException;

/**
 * A local LMDB replica of a PostgreSQL store, kept up to date by a thread of its own: what
 * {@code sasldb-authd --replica-of NAME -f FILE} serves logins from (docs/replica.md).
 *
 * <p>The replica is an ordinary LMDB store in Cyrus's layout (a local libsasl can read it). The
 * first copy comes from one consistent snapshot of the database and is renamed into place
 * complete; then the replica follows the change log {@code sasldb4j.changes}: woken by {@code
 * LISTEN sasldb4j_changes}, and polling every {@link Settings#pollInterval} in case a
 * notification is lost, it replaces the changed users' records in one LMDB transaction. It
 * copies the whole database again when the log says everything changed ({@code TRUNCATE}), when
 * the log was pruned past its position, or when more than {@link Settings#maxPending} changes
 * wait. Its position is kept in {@code FILE.seq} ({@link ReplicaPosition}).
 *
 * <p>While the database is unreachable the replica keeps serving its last copy, reconnects
 * with a growing delay (up to {@link Settings#maxBackoff}), and says how stale it is: in the
 * log (once, then every {@link Settings#unreachableLogInterval}) and through {@link #status()}.
 *
 * <p>Thread-safe. Close it to stop following and release the file.
 *
 * <p><b>Security:</b> the replica holds every user's secrets: it must be as private as any
 * store (the permission check for secrets applies when it is opened), and a new copy gets the
 * owner, group and mode of the file it replaces. The database's password never reaches a
 * message: they name the address without its password.
 */
public final class Replica implements AutoCloseable {

    /** What the replica is doing. */
    public enum State {
        /** Serving the existing copy; not yet in touch with the database since the start. */
        STARTING,
        /** Making a full copy (the first, or a re-copy); the previous copy is served meanwhile. */
        COPYING,
        /** Connected and caught up as of the last check. */
        FOLLOWING,
        /** The database cannot be reached: the last copy is served. */
        UNREACHABLE,
        /** Closed. */
        STOPPED;

        /** Lower case, for logs and metrics labels. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A snapshot of the replica's condition, for logs and metrics.
     *
     * @param state what it is doing
     * @param appliedSeq the last change-log position applied
     * @param staleness time since the replica last agreed with the database (the last successful
     *     check, or, before one in this process, the time recorded in the position file)
     * @param lastSync when that was
     */
    public record Status(State state, long appliedSeq, Duration staleness, Instant lastSync) {}

    /**
     * How the replica follows.
     *
     * @param pollInterval longest wait between two checks of the change log when no notification
     *     arrives (notifications can be lost while reconnecting)
     * @param maxPending more pending changes than this are not applied one by one: the database is
     *     copied afresh
     * @param maxBackoff longest wait between two connection attempts while the database is down
     * @param unreachableLogInterval how often "still unreachable" is logged while it stays down
     * @param networkTimeout longest wait for any answer from the server (a paused server or a lost
     *     network would otherwise hang the follower forever)
     */
    public record Settings(Duration pollInterval, int maxPending, Duration maxBackoff, Duration unreachableLogInterval,
            Duration networkTimeout) {
        /** Poll every 5 s, re-copy beyond 10,000 changes, back off to 30 s, log every 5 min, 30 s network timeout. */
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(5), 10_000, Duration.ofSeconds(30),
                Duration.ofMinutes(5), Duration.ofSeconds(30));

        public Settings {
            if (pollInterval.isNegative() || pollInterval.isZero() || maxPending < 1 || maxBackoff.isNegative()
                    || networkTimeout.isNegative() || networkTimeout.isZero()) {
                throw new IllegalArgumentException("replica settings must be positive");
            }
        }
    }

    private final ReplicaSource source;
    private final Path file;
    private final Settings settings;
    private final Logger log;
    private final ReplicaSync sync;
    private final ReplicaFile replica;
    private final Thread follower;
    private volatile State state;
    private volatile long appliedSeq;
    private volatile Instant lastSync;
    private volatile boolean closed;
    private volatile Connection connection;

    private Replica(ReplicaSource source, Path file, Settings settings, Logger log, ReplicaFile replica,
            ReplicaPosition position) {
        this.source = source;
        this.file = file;
        this.settings = settings;
        this.log = log;
        this.replica = replica;
        this.sync = new ReplicaSync(settings.maxPending());
        this.appliedSeq = position.appliedSeq();
        this.lastSync = position.syncedAt();
        this.state = State.STARTING;
        this.follower = new Thread(this::follow, "sasldb4j-replica");
        follower.setDaemon(true);
    }

    /**
     * Starts a replica of the database at {@code address} (a {@code postgresql://} URI or
     * {@code service=NAME}, see {@link PgConnector#of}) in the LMDB file {@code file}.
     *
     * <p>With no replica at {@code file} yet (or no position file beside it, or one of another
     * database) the first copy is made now, and this fails if the database cannot be reached.
     * With one, it is served at once and followed from its position; a database that cannot be
     * reached is then logged, not thrown.
     *
     * @throws StoreException if there is no usable replica yet and the database cannot be copied,
     *     or if the replica file cannot be opened (unsafe permissions, not a store)
     */
    public static Replica start(String address, Path file, Settings settings, Logger log) {
        return start(ReplicaSource.of(PgConnector.of(address)), file, settings, log);
    }

    static Replica start(ReplicaSource source, Path file, Settings settings, Logger log) {
        ReplicaPosition position = ReplicaPosition.read(file);
        boolean exists = Files.exists(file, LinkOption.NOFOLLOW_LINKS);
        ReplicaFile replica;
        if (exists && position != null && position.source().equals(source.name())) {
            replica = ReplicaFile.open(file);
            ReplicaPosition at = position;
            log.info(() -> "replica " + file + ": serving the existing copy of " + source.name() + " (seq "
                    + at.appliedSeq() + ", last in step with the database at " + at.syncedAt()
                    + "); following the database from there");
        } else {
            if (exists && position == null && !isEmpty(file)) {
                // Never overwrite what may be a store of its own (-f /etc/sasldb2 by mistake).
                throw new StoreException("replica " + file + ": the file exists but is not a replica (no "
                        + ReplicaPosition.fileOf(file) + " beside it); remove it or choose another file for the replica");
            }
            String why = !exists ? "no replica yet" : position == null ? "an empty file"
                    : "the replica was made from " + position.source();
            log.info(() -> "replica " + file + ": " + why + "; copying " + source.name());
            ReplicaSync.Copied copied;
            try (Connection c = source.connect()) {
                prepare(c, settings);
                copied = new ReplicaSync(settings.maxPending()).copy(c, file);
            } catch (SQLException e) {
                throw new StoreException("replica " + file + ": cannot make the first copy of " + source.name() + ": "
                        + ReplicaSync.describe(e) + "; start again when the database can be reached", e);
            } catch (StoreException e) {
                throw new StoreException("replica " + file + ": cannot make the first copy of " + source.name() + ": "
                        + e.getMessage(), e);
            }
            // The position first: a crash before the rename leaves no replica, so the next start copies again.
            position = new ReplicaPosition(source.name(), copied.seq(), Instant.now());
            position.write(file);
            replica = ReplicaFile.install(file);
            log.info(copied.describe("replica " + file + ": first copy of " + source.name() + " done"));
        }
        Replica r = new Replica(source, file, settings, log, replica, position);
        r.follower.start();
        return r;
    }

    private static boolean isEmpty(Path file) {
        try {
            return Files.size(file) == 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The replica for reading (logins): read-only; closing it does nothing, close the replica. */
    public CredentialStore store() {
        return replica.view();
    }

    /** The replica file. */
    public Path file() {
        return file;
    }

    /** Where the replica stands now. */
    public Status status() {
        Instant last = lastSync;
        Duration stale = Duration.between(last, Instant.now());
        return new Status(closed ? State.STOPPED : state, appliedSeq, stale.isNegative() ? Duration.ZERO : stale, last);
    }

    /**
     * Sets the session up for the follower: snapshot reads (REPEATABLE READ, read only; autocommit
     * between them, see ReplicaSync), and a bound on every wait for the server.
     */
    private static void prepare(Connection c, Settings settings) throws SQLException {
        c.setNetworkTimeout(Runnable::run, Math.toIntExact(settings.networkTimeout().toMillis()));
        c.setAutoCommit(true);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
    }

    /** The follower thread: connect, check, wait for a notification or the poll interval; again. */
    private void follow() {
        Outage outage = new Outage();
        Duration backoff = Duration.ofSeconds(1);
        boolean announced = false;
        while (!closed) {
            try {
                Connection c = connection;
                if (c == null) {
                    c = source.connect();
                    prepare(c, settings);
                    try (var st = c.createStatement()) {
                        st.execute("LISTEN sasldb4j_changes"); // autocommit: in effect at once
                    }
                    connection = c;
                }
                checkOnce(c, outage);
                backoff = Duration.ofSeconds(1);
                if (!announced) {
                    announced = true;
                    log.info(() -> "replica " + file + ": following " + source.name() + " (seq " + appliedSeq
                            + "; LISTEN sasldb4j_changes, checking at least every "
                            + settings.pollInterval().toMillis() / 1000.0 + " s)");
                }
                c.unwrap(PGConnection.class).getNotifications(Math.toIntExact(settings.pollInterval().toMillis()));
            } catch (SQLException | StoreException e) {
                if (closed) {
                    break;
                }
                if (e instanceof SQLException s && abortedByTheServer(s)) {
                    // The server chose this check to end a deadlock among writers queued on the
                    // writers' lock (or a serialization failure): the connection is fine, check again.
                    log.fine(() -> "replica " + file + ": a check was aborted by the server ("
                            + ReplicaSync.describe(s) + "); checking again");
                    sleep(Duration.ofMillis(100));
                    continue;
                }
                dropConnection();
                unreachable(e, outage);
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff()
                        : backoff.multipliedBy(2);
            } catch (RuntimeException e) {
                if (closed) {
                    break;
                }
                // A bug must not end the follower: the replica would silently go stale.
                log.log(Level.SEVERE, "replica " + file + ": unexpected failure while following; retrying", e);
                dropConnection();
                sleep(backoff);
            }
        }
        dropConnection();
    }

    /** SQLSTATE class 40 (deadlock, serialization failure): the transaction was rolled back, the session lives. */
    private static boolean abortedByTheServer(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("40");
    }

    /** One check of the change log; applies or copies what it finds. */
    private void checkOnce(Connection c, Outage outage) throws SQLException {
        long start = System.nanoTime();
        ReplicaSync.Outcome o = sync.check(c, replica, appliedSeq);
        long took = System.nanoTime() - start;
        if (o.copyReason() != null) {
            state = State.COPYING;
            log.info(() -> "replica " + file + ": copying " + source.name() + " afresh: " + o.copyReason());
            ReplicaSync.Copied copied = sync.copy(c, file);
            replica.replaceWithCopy();
            log.info(copied.describe("replica " + file + ": re-copy of " + source.name() + " done"));
            advance(copied.seq());
        } else {
            if (o.seq() != appliedSeq) {
                long before = appliedSeq;
                log.fine(() -> "replica " + file + ": applied " + o.changes() + " changes of " + o.users()
                        + " users (seq " + before + " -> " + o.seq() + ") in " + took / 1_000_000 + " ms (database "
                        + o.readNanos() / 1_000_000 + " ms)");
            }
            advance(o.seq());
        }
        if (outage.since.get() != null) {
            Duration stale = Duration.between(outage.since.get(), Instant.now());
            log.info(() -> "replica " + file + ": " + source.name() + " reachable again; caught up (seq " + appliedSeq
                    + ") after " + seconds(stale) + " unreachable");
            outage.since.set(null);
            outage.logged.set(null);
        }
        state = State.FOLLOWING;
    }

    private void advance(long seq) {
        Instant now = Instant.now();
        if (seq != appliedSeq) {
            new ReplicaPosition(source.name(), seq, now).write(file);
            appliedSeq = seq;
        }
        lastSync = now;
    }

    private void unreachable(Exception e, Outage outage) {
        state = State.UNREACHABLE;
        Instant now = Instant.now();
        String why = e instanceof SQLException se ? ReplicaSync.describe(se) : e.getMessage();
        if (outage.since.get() == null) {
            outage.since.set(now);
            outage.logged.set(now);
            log.warning(() -> "replica " + file + ": database " + source.name() + " unreachable (" + why
                    + "); serving the last copy (seq " + appliedSeq + ", " + seconds(status().staleness())
                    + " stale); reconnecting");
        } else if (Duration.between(outage.logged.get(), now).compareTo(settings.unreachableLogInterval()) >= 0) {
            outage.logged.set(now);
            log.warning(() -> "replica " + file + ": database " + source.name() + " still unreachable (" + why
                    + "); serving the last copy, " + seconds(status().staleness()) + " stale");
        }
    }

    /** The follower thread's record of an outage: since when, and when it was last logged. */
    private static final class Outage {
        final AtomicReference<Instant> since = new AtomicReference<>();
        final AtomicReference<Instant> logged = new AtomicReference<>();
    }

    private static String seconds(Duration d) {
        return d.toSeconds() + " s";
    }

    private void dropConnection() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException | RuntimeException e) {
                // Already broken: nothing to release on our side.
            }
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Stops following (waits for a copy in progress to be abandoned) and closes the file. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        follower.interrupt();
        // Unblocks a wait for notifications or a query in progress: abort closes the socket at once.
        Connection c = connection;
        if (c != null) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                // Closed already.
            }
        }
        try {
            follower.join(settings.networkTimeout().toMillis() + 5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        replica.close();
        state = State.STOPPED;
    }

    @Override
    public String toString() {
        return "Replica[" + file + " of " + source.name() + "]";
    }
}
