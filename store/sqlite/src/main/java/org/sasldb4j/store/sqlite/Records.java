package org.sasldb4j.store.sqlite;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.MalformedKeyException;
import org.sasldb4j.store.UserId;

/**
 * The statements on the store's table, prepared once per connection. Not thread-safe: the store
 * serialises access.
 *
 * <p>Every byte string is bound as a byte array and cast to TEXT in SQL, and read back cast to
 * BLOB: SQLite copies the bytes unchanged both ways (no UTF-8 validation, NUL bytes kept).
 */
final class Records implements AutoCloseable {
    private static final String KEY = "authid = CAST(?1 AS TEXT) AND realm = CAST(?2 AS TEXT)";
    private static final String COLUMNS = "CAST(authid AS BLOB), CAST(realm AS BLOB), CAST(property AS BLOB), "
            + "CAST(value AS BLOB)";
    private static final String T = Schema.TABLE;

    private final Connection connection;
    private final Path path;
    private PreparedStatement get;
    private PreparedStatement user;
    private PreparedStatement all;
    private PreparedStatement put;
    private PreparedStatement delete;
    private PreparedStatement deleteUser;

    Records(Connection connection, Path path) {
        this.connection = connection;
        this.path = path;
    }

    Optional<byte[]> get(UserId u, String property) throws SQLException {
        get = prepare(get, "SELECT CAST(value AS BLOB) FROM " + T + " WHERE " + KEY + " AND property = CAST(?3 AS TEXT)");
        bindUser(get, u);
        bind(get, 3, utf8(property));
        // Closing the result set resets the statement, ending its read transaction, so the next
        // read sees whatever other processes committed meanwhile.
        try (ResultSet rs = get.executeQuery()) {
            return rs.next() ? Optional.of(bytes(rs, 1)) : Optional.empty();
        }
    }

    /** The user's records in property order; rows that cannot be records are skipped. */
    List<Entry> user(UserId u) throws SQLException {
        user = prepare(user, "SELECT " + COLUMNS + " FROM " + T + " WHERE " + KEY + " ORDER BY property");
        bindUser(user, u);
        List<Entry> out = new ArrayList<>();
        try (ResultSet rs = user.executeQuery()) {
            while (rs.next()) {
                try {
                    out.add(entry(rs));
                } catch (MalformedKeyException bad) {
                    // A property with a NUL byte or an empty name is no record of this user.
                }
            }
        }
        return out;
    }

    /** Every record in Cyrus key order (bytewise by authid, realm, property). */
    void forEach(Consumer<? super Entry> action, Consumer<? super DamagedStoreException> onDamage)
            throws SQLException {
        all = prepare(all, "SELECT " + COLUMNS + " FROM " + T + " ORDER BY authid, realm, property");
        try (ResultSet rs = all.executeQuery()) {
            while (rs.next()) {
                Entry e;
                try {
                    e = entry(rs);
                } catch (MalformedKeyException bad) {
                    onDamage.accept(bad);
                    continue;
                }
                action.accept(e);
            }
        }
    }

    /** Inserts or replaces; the caller's copy of the value is wiped. */
    void put(Entry entry) throws SQLException {
        put = prepare(put, "INSERT OR REPLACE INTO " + T + " (authid, realm, property, value) VALUES "
                + "(CAST(?1 AS TEXT), CAST(?2 AS TEXT), CAST(?3 AS TEXT), CAST(?4 AS TEXT))");
        byte[] value = entry.value();
        try {
            bind(put, 1, entry.authidBytes());
            bind(put, 2, entry.realmBytes());
            bind(put, 3, entry.propertyBytes());
            bind(put, 4, value);
            put.executeUpdate();
        } finally {
            Arrays.fill(value, (byte) 0);
            put.clearParameters();
        }
    }

    boolean delete(UserId u, String property) throws SQLException {
        delete = prepare(delete, "DELETE FROM " + T + " WHERE " + KEY + " AND property = CAST(?3 AS TEXT)");
        bindUser(delete, u);
        bind(delete, 3, utf8(property));
        return delete.executeUpdate() > 0;
    }

    int deleteUser(UserId u) throws SQLException {
        deleteUser = prepare(deleteUser, "DELETE FROM " + T + " WHERE " + KEY);
        bindUser(deleteUser, u);
        return deleteUser.executeUpdate();
    }

    @Override
    public void close() {
        for (PreparedStatement s : new PreparedStatement[] {get, user, all, put, delete, deleteUser}) {
            if (s != null) {
                try {
                    s.close();
                } catch (SQLException e) {
                    // Closing the connection next releases it anyway.
                }
            }
        }
    }

    private PreparedStatement prepare(PreparedStatement cached, String sql) throws SQLException {
        return cached != null ? cached : connection.prepareStatement(sql);
    }

    private static void bindUser(PreparedStatement s, UserId u) throws SQLException {
        bind(s, 1, u.authidBytes());
        bind(s, 2, u.realmBytes());
    }

    /** Binds bytes; an empty array as the empty string, so that it can never become NULL. */
    private static void bind(PreparedStatement s, int index, byte[] b) throws SQLException {
        if (b.length == 0) {
            s.setString(index, "");
        } else {
            s.setBytes(index, b);
        }
    }

    private Entry entry(ResultSet rs) throws SQLException {
        byte[] authid = rs.getBytes(1);
        byte[] realm = rs.getBytes(2);
        byte[] property = rs.getBytes(3);
        byte[] value = rs.getBytes(4);
        if (authid == null || realm == null || property == null || value == null) {
            throw new MalformedKeyException(path + ": skipped a row with a NULL column (user "
                    + printable(authid) + ", realm " + printable(realm) + ", property " + printable(property) + ")");
        }
        try {
            return Entry.of(authid, realm, property, value);
        } catch (IllegalArgumentException bad) {
            throw new MalformedKeyException(path + ": skipped record with key "
                    + printable(Entry.keyOf(authid, realm, property)) + ": " + bad.getMessage());
        } finally {
            Arrays.fill(value, (byte) 0);
        }
    }

    /** A never-NULL column: the driver hands back an empty array for an empty BLOB. */
    private static byte[] bytes(ResultSet rs, int column) throws SQLException {
        byte[] b = rs.getBytes(column);
        return b == null ? new byte[0] : b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A key component for a message: printable ASCII kept, everything else as {@code \xNN}. */
    static String printable(byte[] key) {
        return key == null ? "NULL" : Entry.printable(key);
    }
}
