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
 * every later change gets a larger number. The lock is released as soon as the snapshot exists;
 * writers wait for one short query at most.
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
     * must be copied afresh (nothing was applied).
     */
    record Outcome(long seq, int changes, int users, String copyReason) {}

    /** A finished copy: its position, what it holds and how long it took. */
    record Copied(long seq, long users, long records, long nanos) {
        String describe(String prefix) {
            return String.format(java.util.Locale.ROOT, "%s: %d users, %d records, seq %d, %.1f s", prefix, users,
                    records, seq, nanos / 1e9);
        }
    }

    /**
     * Starts a REPEATABLE READ, READ ONLY transaction whose snapshot holds every change up to the
     * returned position (see the class comment).
     */
    private static long snapshot(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_lock_shared(" + WRITERS_LOCK + ")");
            c.commit(); // the session lock stays; the snapshot comes with the next statement
            c.setReadOnly(true);
            long seq;
            try (ResultSet rs = st.executeQuery("SELECT last_value, is_called FROM sasldb4j.changes_seq")) {
                rs.next();
                seq = rs.getBoolean(2) ? rs.getLong(1) : 0;
            } catch (SQLException e) {
                // The failed statement aborted the transaction, where the unlock would fail too and
                // its error would hide this one (e.g. a role without SELECT on the sequence).
                try {
                    c.rollback();
                    st.execute("SELECT pg_advisory_unlock_shared(" + WRITERS_LOCK + ")");
                    c.commit();
                } catch (SQLException unlock) {
                    e.addSuppressed(unlock);
                }
                throw e;
            }
            st.execute("SELECT pg_advisory_unlock_shared(" + WRITERS_LOCK + ")");
            return seq;
        }
    }

    private static void end(Connection c) throws SQLException {
        c.commit();
        c.setReadOnly(false);
    }

    /**
     * Copies every record, from one snapshot, into a new LMDB file at {@link
     * ReplicaFile#copyPath} (closed when this returns; the caller renames it into place).
     */
    Copied copy(Connection c, Path replica) throws SQLException {
        long start = System.nanoTime();
        long seq = snapshot(c);
        long users = 0;
        long records = 0;
        boolean done = false;
        try (CredentialStore out = ReplicaFile.startCopy(replica);
                PreparedStatement ps = c.prepareStatement(
                        "SELECT authid, realm, property, value FROM sasldb4j.records ORDER BY authid, realm, property")) {
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
            end(c);
            done = true;
        } finally {
            if (!done) {
                try {
                    c.rollback();
                } catch (SQLException e) {
                    // The connection is being dropped by the caller.
                }
                deleteQuietly(ReplicaFile.copyPath(replica));
                deleteQuietly(Path.of(ReplicaFile.copyPath(replica) + "-lock"));
            }
        }
        return new Copied(seq, users, records, System.nanoTime() - start);
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
     * Checks the change log once. Applies the changes after {@code applied} to {@code replica}
     * in one LMDB transaction (each changed user's records replaced by the database's), or says
     * why the database must be copied afresh instead.
     */
    Outcome check(Connection c, Path file, ReplicaFile replica, long applied) throws SQLException {
        long high = snapshot(c);
        boolean ok = false;
        try {
            if (high == applied) {
                end(c);
                ok = true;
                return new Outcome(applied, 0, 0, null);
            }
            if (high < applied) {
                end(c);
                ok = true;
                return new Outcome(applied, 0, 0, "the change log is at seq " + high + ", behind the replica's seq "
                        + applied + " (a new or restored database?)");
            }
            Long min;
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT min(seq) FROM sasldb4j.changes")) {
                rs.next();
                long m = rs.getLong(1);
                min = rs.wasNull() ? null : m;
            }
            if (min == null || min > applied + 1) {
                end(c);
                ok = true;
                // Conservative: a number burnt by a rolled-back writer looks the same as a pruned entry.
                return new Outcome(applied, 0, 0, "the change log no longer holds the changes after seq " + applied
                        + " (pruned)");
            }
            Set<UserId> users = new LinkedHashSet<>();
            int changes = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT authid, realm FROM sasldb4j.changes"
                    + " WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?")) {
                ps.setLong(1, applied);
                ps.setLong(2, high);
                ps.setInt(3, maxPending + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        changes++;
                        String authid = rs.getString(1);
                        String realm = rs.getString(2);
                        if (authid.equals("*") && realm.equals("*")) {
                            end(c);
                            ok = true;
                            return new Outcome(applied, 0, 0, "the records were truncated");
                        }
                        users.add(UserId.of(authid, realm));
                    }
                }
            }
            if (changes > maxPending) {
                end(c);
                ok = true;
                return new Outcome(applied, 0, 0, "more than " + maxPending + " changes pending");
            }
            List<Entry> records = users.isEmpty() ? List.of() : recordsOf(c, users);
            try {
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
            } finally {
                records.forEach(Entry::wipe);
            }
            end(c);
            ok = true;
            return new Outcome(high, changes, users.size(), null);
        } finally {
            if (!ok) {
                try {
                    c.rollback();
                } catch (SQLException e) {
                    // The connection is being dropped by the caller.
                }
            }
        }
    }

    /** The current records of {@code users}, in the snapshot. */
    private static List<Entry> recordsOf(Connection c, Set<UserId> users) throws SQLException {
        String[] authids = users.stream().map(UserId::authid).toArray(String[]::new);
        String[] realms = users.stream().map(UserId::realm).toArray(String[]::new);
        List<Entry> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT r.authid, r.realm, r.property, r.value"
                + " FROM unnest(?::text[], ?::text[]) AS u(authid, realm)"
                + " JOIN sasldb4j.records r ON r.authid = u.authid COLLATE \"C\" AND r.realm = u.realm COLLATE \"C\"")) {
            ps.setArray(1, c.createArrayOf("text", authids));
            ps.setArray(2, c.createArrayOf("text", realms));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBytes(4)));
                }
            }
        }
        return out;
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
