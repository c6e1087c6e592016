package org.sasldb4j.store.postgresql;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.UserId;

/**
 * The reads shared by the store (outside a transaction) and its writer (inside one). Every
 * condition names the key columns, so each statement is a primary-key lookup or range.
 */
final class Records {
    static final String GET = "SELECT value FROM sasldb4j.records WHERE authid = ? AND realm = ? AND property = ?";
    static final String USER = "SELECT property, value FROM sasldb4j.records WHERE authid = ? AND realm = ?"
            + " ORDER BY property";

    private Records() {}

    static Optional<byte[]> get(Connection c, UserId user, String property) throws SQLException {
        String authid = Keys.text(user.authidBytes());
        String realm = Keys.text(user.realmBytes());
        if (authid == null || realm == null || !Keys.representable(property)) {
            return Optional.empty(); // such a key cannot be in PostgreSQL text
        }
        try (PreparedStatement s = c.prepareStatement(GET)) {
            s.setString(1, authid);
            s.setString(2, realm);
            s.setString(3, property);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getBytes(1)) : Optional.empty();
            }
        }
    }

    static List<Entry> user(Connection c, UserId user) throws SQLException {
        String authid = Keys.text(user.authidBytes());
        String realm = Keys.text(user.realmBytes());
        List<Entry> out = new ArrayList<>();
        if (authid == null || realm == null) {
            return out;
        }
        try (PreparedStatement s = c.prepareStatement(USER)) {
            s.setString(1, authid);
            s.setString(2, realm);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    byte[] value = r.getBytes(2);
                    out.add(Entry.of(user, r.getString(1), value));
                    java.util.Arrays.fill(value, (byte) 0);
                }
            }
        }
        return out;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
