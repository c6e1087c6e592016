package org.sasldb4j.store.postgresql;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreWriter;
import org.sasldb4j.store.UserId;

/**
 * The operations of one write transaction on a PostgreSQL store; unusable once
 * {@link PostgresStore#write} returns.
 *
 * <p>Puts are kept and sent together, up to {@link #BATCH} rows in one INSERT of {@code unnest}ed
 * arrays (one round trip, and the change-log trigger runs once per statement, not per record):
 * they are flushed before any other statement and before the commit, so the writer always sees
 * its own writes. A key put twice before a flush is sent once, with its last value, as one
 * INSERT ... ON CONFLICT may not update a row twice.
 */
final class PostgresWriter implements StoreWriter {
    static final String PUT = "INSERT INTO sasldb4j.records (authid, realm, property, value)"
            + " SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::bytea[])"
            + " ON CONFLICT (authid, realm, property) DO UPDATE SET value = EXCLUDED.value";
    static final String DELETE = "DELETE FROM sasldb4j.records WHERE authid = ? AND realm = ? AND property = ?";
    static final String DELETE_SOME = "DELETE FROM sasldb4j.records WHERE authid = ? AND realm = ? AND property = ANY (?)";
    static final String DELETE_USER = "DELETE FROM sasldb4j.records WHERE authid = ? AND realm = ?";
    /** The ordinals (from 1) of the given users that have a record. */
    static final String EXISTING = "SELECT k.i FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS k(authid, realm, i)"
            + " WHERE EXISTS (SELECT 1 FROM sasldb4j.records r"
            + " WHERE r.authid = k.authid COLLATE \"C\" AND r.realm = k.realm COLLATE \"C\")";
    static final String DELETE_USERS = "DELETE FROM sasldb4j.records r USING unnest(?::text[], ?::text[]) AS k(authid, realm)"
            + " WHERE r.authid = k.authid COLLATE \"C\" AND r.realm = k.realm COLLATE \"C\"";
    static final String DELETE_USERS_SOME = DELETE_USERS + " AND r.property = ANY (?)";
    /** Enough rows per statement to make the trigger and round trips negligible, few enough to bound memory. */
    static final int BATCH = 10_000;

    private final Connection c;
    private final String name;
    /** The pending puts, in arrival order; a key's later put replaces its value in place. */
    private final List<String> authids = new ArrayList<>();
    private final List<String> realms = new ArrayList<>();
    private final List<String> properties = new ArrayList<>();
    private final List<byte[]> values = new ArrayList<>();
    /** Pending row of each key ({@code authid NUL realm NUL property}: no component holds NUL). */
    private final Map<String, Integer> pendingAt = new HashMap<>();
    private boolean valid = true;

    PostgresWriter(Connection c, String name) {
        this.c = c;
        this.name = name;
    }

    @Override
    public Optional<byte[]> get(UserId user, String property) {
        check();
        try {
            flush();
            return Records.get(c, user, property);
        } catch (SQLException e) {
            throw PgErrors.failure("cannot read", name, e);
        }
    }

    @Override
    public List<Entry> user(UserId user) {
        check();
        try {
            flush();
            return Records.user(c, user);
        } catch (SQLException e) {
            throw PgErrors.failure("cannot read", name, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>PostgreSQL itself has no such limit; the LMDB one ({@link Entry#requireKeyFits}) applies
     * so that every store can be copied to the other backends (and to Cyrus's LMDB sasldb). Keys
     * must be valid UTF-8 text.
     */
    @Override
    public void put(Entry entry) {
        check();
        entry.requireKeyFits();
        String authid = Keys.text(entry.authidBytes());
        String realm = Keys.text(entry.realmBytes());
        String property = Keys.text(entry.propertyBytes());
        if (authid == null || realm == null || property == null) {
            throw Keys.unrepresentable(entry, name);
        }
        byte[] value = entry.value();
        Integer at = pendingAt.putIfAbsent(authid + '\0' + realm + '\0' + property, values.size());
        if (at != null) {
            java.util.Arrays.fill(values.set(at, value), (byte) 0);
            return;
        }
        authids.add(authid);
        realms.add(realm);
        properties.add(property);
        values.add(value);
        if (values.size() >= BATCH) {
            try {
                flush();
            } catch (SQLException e) {
                throw PgErrors.failure("cannot write to", name, e);
            }
        }
    }

    @Override
    public boolean delete(UserId user, String property) {
        check();
        String authid = Keys.text(user.authidBytes());
        String realm = Keys.text(user.realmBytes());
        if (authid == null || realm == null || !Keys.representable(property)) {
            return false;
        }
        try {
            flush();
            try (PreparedStatement s = c.prepareStatement(DELETE)) {
                s.setString(1, authid);
                s.setString(2, realm);
                s.setString(3, property);
                return s.executeUpdate() > 0;
            }
        } catch (SQLException e) {
            throw PgErrors.failure("cannot write to", name, e);
        }
    }

    /** One statement for all the properties ({@code property = ANY(array)}): one round trip. */
    @Override
    public int delete(UserId user, Collection<String> properties) {
        check();
        String authid = Keys.text(user.authidBytes());
        String realm = Keys.text(user.realmBytes());
        List<String> props = new ArrayList<>();
        for (String p : properties) {
            if (Keys.representable(p)) {
                props.add(p);
            }
        }
        if (authid == null || realm == null || props.isEmpty()) {
            return 0;
        }
        try {
            flush();
            try (PreparedStatement s = c.prepareStatement(DELETE_SOME)) {
                Array a = c.createArrayOf("text", props.toArray());
                s.setString(1, authid);
                s.setString(2, realm);
                s.setArray(3, a);
                return s.executeUpdate();
            }
        } catch (SQLException e) {
            throw PgErrors.failure("cannot write to", name, e);
        }
    }

    @Override
    public int deleteUser(UserId user) {
        check();
        String authid = Keys.text(user.authidBytes());
        String realm = Keys.text(user.realmBytes());
        if (authid == null || realm == null) {
            return 0;
        }
        try {
            flush();
            try (PreparedStatement s = c.prepareStatement(DELETE_USER)) {
                s.setString(1, authid);
                s.setString(2, realm);
                return s.executeUpdate();
            }
        } catch (SQLException e) {
            throw PgErrors.failure("cannot write to", name, e);
        }
    }

    /**
     * One query for all the users: their keys go as two parallel arrays ({@code unnest}), each
     * probed on the primary key, so a chunk of 50,000 users costs one round trip, not 50,000.
     */
    @Override
    public Set<UserId> existingUsers(Collection<UserId> users) {
        check();
        Set<UserId> out = new HashSet<>();
        Keyed keyed = keyed(users);
        if (keyed.users.isEmpty()) {
            return out;
        }
        try {
            flush();
            try (PreparedStatement s = c.prepareStatement(EXISTING)) {
                s.setArray(1, c.createArrayOf("text", keyed.authids.toArray()));
                s.setArray(2, c.createArrayOf("text", keyed.realms.toArray()));
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(keyed.users.get((int) r.getLong(1) - 1));
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw PgErrors.failure("cannot read", name, e);
        }
    }

    /** One statement for all the users; the change-log trigger runs once for it. */
    @Override
    public int deleteUsers(Collection<UserId> users) {
        return deleteAll(users, null);
    }

    /** One statement for all the users and properties; the change-log trigger runs once for it. */
    @Override
    public int deleteProperties(Collection<UserId> users, Collection<String> properties) {
        List<String> props = new ArrayList<>();
        for (String p : properties) {
            if (Keys.representable(p)) {
                props.add(p);
            }
        }
        return props.isEmpty() ? 0 : deleteAll(users, props);
    }

    /** Deletes the users' records, or only their {@code properties} when not null. */
    private int deleteAll(Collection<UserId> users, List<String> properties) {
        check();
        Keyed keyed = keyed(users);
        if (keyed.users.isEmpty()) {
            return 0;
        }
        try {
            flush();
            try (PreparedStatement s = properties == null ? c.prepareStatement(DELETE_USERS)
                    : c.prepareStatement(DELETE_USERS_SOME)) {
                s.setArray(1, c.createArrayOf("text", keyed.authids.toArray()));
                s.setArray(2, c.createArrayOf("text", keyed.realms.toArray()));
                if (properties != null) {
                    s.setArray(3, c.createArrayOf("text", properties.toArray()));
                }
                return s.executeUpdate();
            }
        } catch (SQLException e) {
            throw PgErrors.failure("cannot write to", name, e);
        }
    }

    /** Users whose keys PostgreSQL text can hold (others have no records here), with their keys. */
    private record Keyed(List<UserId> users, List<String> authids, List<String> realms) {}

    private static Keyed keyed(Collection<UserId> users) {
        Keyed k = new Keyed(new ArrayList<>(users.size()), new ArrayList<>(users.size()), new ArrayList<>(users.size()));
        for (UserId u : users) {
            String authid = Keys.text(u.authidBytes());
            String realm = Keys.text(u.realmBytes());
            if (authid != null && realm != null) {
                k.users.add(u);
                k.authids.add(authid);
                k.realms.add(realm);
            }
        }
        return k;
    }

    /** Sends the pending puts, then wipes their values. */
    void flush() throws SQLException {
        if (values.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(PUT)) {
            s.setArray(1, c.createArrayOf("text", authids.toArray()));
            s.setArray(2, c.createArrayOf("text", realms.toArray()));
            s.setArray(3, c.createArrayOf("text", properties.toArray()));
            s.setArray(4, c.createArrayOf("bytea", values.toArray(new byte[0][])));
            s.executeUpdate();
        } finally {
            forgetPending();
        }
    }

    private void forgetPending() {
        values.forEach(v -> java.util.Arrays.fill(v, (byte) 0));
        authids.clear();
        realms.clear();
        properties.clear();
        values.clear();
        pendingAt.clear();
    }

    /** Ends the writer: later calls fail; puts not sent are dropped (and wiped). */
    void invalidate() {
        valid = false;
        forgetPending();
    }

    private void check() {
        if (!valid) {
            throw new IllegalStateException("this writer's transaction on " + name + " has ended");
        }
    }
}
