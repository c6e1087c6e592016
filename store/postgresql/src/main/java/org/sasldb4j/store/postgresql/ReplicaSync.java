package org.sasldb4j.store.postgresql;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.UserId;

/**
 * The SQL side of a replica: a full copy from one snapshot, and one check of the change log.
 *
 * <p>Every read starts from a snapshot taken while holding the writers' advisory lock in shared
 * mode (schema-1.sql: each writing transaction holds it exclusively from its first change to its
 * commit). With the lock held no writer is between its first change and its commit, so every
 * change-log number the sequence has handed out belongs to a transaction that is visible in the
 * snapshot or rolled back: the snapshot is exactly "every change up to {@code last_value}", and
 * every later change gets a larger number. The statement that takes the snapshot releases the
 * lock: writers wait for one short query at most, and the lock is never held while a table is
 * read (a {@code TRUNCATE} locks the table before it takes the writers' lock; holding both the
 * other way round would deadlock with it).
 *
 * <p>A check costs two round trips before the replica changes (the lock; then the snapshot and
 * every query of the check, sent together), so a change reaches the nodes quickly on busy
 * machines too (the propagation bound of docs/fleet.md).
 *
 * <p>The follower's session is {@code REPEATABLE READ}, read only, in autocommit between reads
 * (set up by {@link Replica}).
 */
final class ReplicaSync {
    /** The writers' lock (schema-1.sql, {@code sasldb4j.log_change}). */
    static final long WRITERS_LOCK = 7310500521L;
    /** Records written to the new LMDB file per transaction during a copy. */
    private static final int COPY_BATCH = 10_000;
    /** Rows fetched per round trip while streaming the records. */
    private static final int FETCH_SIZE = 5_000;

    private final int maxPending;

    ReplicaSync(int maxPending) {
        this.maxPending = maxPending;
    }

    /**
     * What one check found: the position reached ({@code seq}) after applying {@code changes}
     * log entries of {@code users} users, or, when {@code copyReason} is set, that the database
     * must be copied afresh (nothing was applied); {@code readNanos}: how long the database took
     * to answer (lock and queries), for the log.
     */
    record Outcome(long seq, int changes, int users, String copyReason, long readNanos) {
        Outcome(long seq, int changes, int users, String copyReason) {
            this(seq, changes, users, copyReason, 0);
        }
    }

    /** A finished copy: its position, what it holds and how long it took. */
    record Copied(long seq, long users, long records, long nanos) {
        String describe(String prefix) {
            return String.format(java.util.Locale.ROOT, "%s: %d users, %d records, seq %d, %.1f s", prefix, users,
                    records, seq, nanos / 1e9);
        }
    }

    /** Reads the position and releases the lock; as the first statement, it takes the snapshot. */
    private static final String POSITION = "SELECT last_value, is_called, pg_advisory_unlock_shared(" + WRITERS_LOCK
            + ") FROM sasldb4j.changes_seq";

    /** Takes the lock in autocommit and opens a transaction: the next statement takes the snapshot. */
    private static void lock(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_lock_shared(" + WRITERS_LOCK + ")");
        }
        c.setAutoCommit(false);
    }

    private static long position(ResultSet rs) throws SQLException {
        rs.next();
        return rs.getBoolean(2) ? rs.getLong(1) : 0;
    }

    /**
     * Ends the snapshot transaction (read only: a rollback keeps nothing) and returns to
     * autocommit; releases the lock when {@link #POSITION} never ran (a failure before it).
     * Never throws over {@code failure}: a second error is added to it.
     */
    private static void end(Connection c, boolean locked, Throwable failure) throws SQLException {
        try {
            c.rollback();
            c.setAutoCommit(true);
            if (locked) {
                try (Statement st = c.createStatement()) {
                    st.execute("SELECT pg_advisory_unlock_shared(" + WRITERS_LOCK + ")");
                }
            }
        } catch (SQLException e) {
            if (failure == null) {
                throw e;
            }
            failure.addSuppressed(e); // the caller reports the first failure and drops the connection
        }
    }

    /**
     * Copies every record, from one snapshot, into a new LMDB file at {@link
     * ReplicaFile#copyPath} (closed when this returns; the caller renames it into place).
     */
    Copied copy(Connection c, Path replica) throws SQLException {
        long start = System.nanoTime();
        lock(c);
        boolean locked = true;
        Exception failure = null;
        try {
            long seq;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(POSITION)) {
                seq = position(rs);
                locked = false;
            }
            long users = 0;
            long records = 0;
            try (CredentialStore out = ReplicaFile.startCopy(replica);
                    PreparedStatement ps = c.prepareStatement("SELECT authid, realm, property, value"
                            + " FROM sasldb4j.records ORDER BY authid, realm, property")) {
                ps.setFetchSize(FETCH_SIZE);
                List<Entry> batch = new ArrayList<>(COPY_BATCH);
                String lastAuthid = null;
                String lastRealm = null;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String authid = rs.getString(1);
                        String realm = rs.getString(2);
                        if (!authid.equals(lastAuthid) || !realm.equals(lastRealm)) {
                            users++;
                            lastAuthid = authid;
                            lastRealm = realm;
                        }
                        batch.add(entry(authid, realm, rs.getString(3), rs.getBytes(4)));
                        records++;
                        if (batch.size() == COPY_BATCH) {
                            write(out, batch);
                        }
                    }
                }
                write(out, batch);
            }
            return new Copied(seq, users, records, System.nanoTime() - start);
        } catch (SQLException | RuntimeException e) {
            failure = e;
            deleteQuietly(ReplicaFile.copyPath(replica));
            deleteQuietly(Path.of(ReplicaFile.copyPath(replica) + "-lock"));
            throw e;
        } finally {
            end(c, locked, failure);
        }
    }

    private static void write(CredentialStore out, List<Entry> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            out.update(w -> batch.forEach(w::put));
        } finally {
            batch.forEach(Entry::wipe);
            batch.clear();
        }
    }

    /**
     * The queries of one check, sent together in one round trip after the lock: the position
     * (taking the snapshot, releasing the lock); the oldest logged change; the changes after the
     * replica's position (at most {@code maxPending + 1}); the current records of the users they
     * name. Changes committed after the snapshot are invisible to all of them alike.
     */
    private static final String CHECK = POSITION + ";"
            + "SELECT min(seq) FROM sasldb4j.changes;"
            + "SELECT authid, realm FROM sasldb4j.changes WHERE seq > ? ORDER BY seq LIMIT ?;"
            + "SELECT r.authid, r.realm, r.property, r.value FROM sasldb4j.records r"
            + " JOIN (SELECT DISTINCT authid, realm FROM"
            + " (SELECT authid, realm FROM sasldb4j.changes WHERE seq > ? ORDER BY seq LIMIT ?) l) u"
            + " ON r.authid = u.authid AND r.realm = u.realm";

    /**
     * Checks the change log once. Applies the changes after {@code applied} to {@code replica}
     * in one LMDB transaction (each changed user's records replaced by the database's), or says
     * why the database must be copied afresh instead.
     */
    Outcome check(Connection c, ReplicaFile replica, long applied) throws SQLException {
        long high;
        Long min;
        Set<UserId> users = new LinkedHashSet<>();
        int changes = 0;
        boolean truncated = false;
        List<Entry> records = new ArrayList<>();
        long start = System.nanoTime();
        lock(c);
        boolean locked = true;
        Exception failure = null;
        try {
            try (PreparedStatement ps = c.prepareStatement(CHECK)) {
                ps.setLong(1, applied);
                ps.setInt(2, maxPending + 1);
                ps.setLong(3, applied);
                ps.setInt(4, maxPending + 1);
                ps.execute();
                try (ResultSet rs = ps.getResultSet()) {
                    high = position(rs);
                    locked = false;
                }
                try (ResultSet rs = next(ps)) {
                    rs.next();
                    long m = rs.getLong(1);
                    min = rs.wasNull() ? null : m;
                }
                try (ResultSet rs = next(ps)) {
                    while (rs.next()) {
                        changes++;
                        String authid = rs.getString(1);
                        String realm = rs.getString(2);
                        truncated |= authid.equals("*") && realm.equals("*");
                        users.add(UserId.of(authid, realm));
                    }
                }
                try (ResultSet rs = next(ps)) {
                    while (rs.next()) {
                        records.add(entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBytes(4)));
                    }
                }
            }
            long read = System.nanoTime() - start;
            if (high == applied) {
                return new Outcome(applied, 0, 0, null);
            }
            if (high < applied) {
                return new Outcome(applied, 0, 0, "the change log is at seq " + high + ", behind the replica's seq "
                        + applied + " (a new or restored database?)");
            }
            if (min == null || min > applied + 1) {
                // Conservative: a number burnt by a rolled-back writer looks the same as a pruned entry.
                return new Outcome(applied, 0, 0, "the change log no longer holds the changes after seq " + applied
                        + " (pruned)");
            }
            if (truncated) {
                return new Outcome(applied, 0, 0, "the records were truncated");
            }
            if (changes > maxPending) {
                return new Outcome(applied, 0, 0, "more than " + maxPending + " changes pending");
            }
            if (!users.isEmpty()) {
                replica.with(s -> {
                    s.update(w -> {
                        for (UserId u : users) {
                            w.deleteUser(u);
                        }
                        records.forEach(w::put);
                    });
                    return null;
                });
            }
            return new Outcome(high, changes, users.size(), null, read);
        } catch (SQLException | RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            records.forEach(Entry::wipe);
            end(c, locked, failure);
        }
    }

    /** The next result set of a multi-statement query; a missing one is the server's fault. */
    private static ResultSet next(PreparedStatement ps) throws SQLException {
        if (!ps.getMoreResults()) {
            throw new SQLException("the server sent fewer results than queries in a change-log check");
        }
        return ps.getResultSet();
    }

    private static Entry entry(String authid, String realm, String property, byte[] value) {
        return Entry.of(authid.getBytes(StandardCharsets.UTF_8), realm.getBytes(StandardCharsets.UTF_8),
                property.getBytes(StandardCharsets.UTF_8), value);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (java.io.IOException e) {
            // Removed before the next copy.
        }
    }

    /** One line for an SQL failure: the driver's message and SQLSTATE (no password ever in them). */
    static String describe(SQLException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        return e.getSQLState() == null ? m : m + " [SQLSTATE " + e.getSQLState() + "]";
    }
}
