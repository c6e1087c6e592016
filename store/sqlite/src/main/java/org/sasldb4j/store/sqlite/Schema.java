package org.sasldb4j.store.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sasldb4j.store.ForeignFormatException;
import org.sasldb4j.store.StoreFormat;

/**
 * The one table of a SQLite store, and the checks that a file holds it.
 *
 * <p>Key columns are TEXT because the Cyrus sql auxprop plugin compares them with text literals
 * ({@code authid = '%u'}) and in SQLite a BLOB never equals a TEXT. Their bytes are written with
 * {@code CAST(? AS TEXT)} from a bound byte array and read with {@code CAST(col AS BLOB)}, so they
 * round-trip exactly even when they are not valid UTF-8. BINARY collation compares TEXT with
 * memcmp, so primary-key order is the bytewise order of the Cyrus key (LMDB order). WITHOUT ROWID
 * keeps the records in that key's b-tree: one lookup per query, no second index.
 */
final class Schema {
    /** Recorded in {@code PRAGMA user_version}; bump when the layout changes. */
    static final int VERSION = 1;
    static final String TABLE = "sasldb";

    static final String CREATE_TABLE = "CREATE TABLE " + TABLE + " ("
            + "authid TEXT NOT NULL COLLATE BINARY, "
            + "realm TEXT NOT NULL COLLATE BINARY, "
            + "property TEXT NOT NULL COLLATE BINARY, "
            + "value TEXT NOT NULL, "
            + "PRIMARY KEY (authid, realm, property)) WITHOUT ROWID";

    /** {@code name type pk} of each column, as PRAGMA table_info reports them, in order. */
    private static final List<String> COLUMNS =
            List.of("authid TEXT 1", "realm TEXT 2", "property TEXT 3", "value TEXT 0");

    private Schema() {}

    /**
     * Creates the table in a database that has no schema at all. Must run inside a write
     * transaction so that two processes initialising the same empty file do it once.
     *
     * @return true if the table was created
     */
    static boolean createIfBlank(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (objectCount(s) != 0 || userVersion(s) != 0) {
                return false;
            }
            s.executeUpdate(CREATE_TABLE);
            s.executeUpdate("PRAGMA user_version = " + VERSION);
            return true;
        }
    }

    /**
     * Refuses a database that is not a sasldb4j store of this version. Only reads.
     *
     * @throws ForeignFormatException naming the file and what is wrong
     */
    static void check(Connection c, Path path) throws SQLException {
        try (Statement s = c.createStatement()) {
            List<String> columns = columns(s);
            if (columns.isEmpty()) {
                throw foreign(path, "it has no '" + TABLE + "' table");
            }
            if (!columns.equals(COLUMNS)) {
                throw foreign(path, "its '" + TABLE + "' table has the columns " + columns
                        + ", not " + COLUMNS + " (name, type, primary-key position)");
            }
            int version = userVersion(s);
            if (version > VERSION) {
                throw new ForeignFormatException(StoreFormat.SQLITE, path + " is a sasldb4j SQLite store of schema"
                        + " version " + version + ", written by a newer sasldb4j; this version reads version "
                        + VERSION + " only; refusing to touch it");
            }
            if (version != VERSION) {
                throw foreign(path, "its user_version is " + version + ", not " + VERSION);
            }
            String encoding = string(s, "PRAGMA encoding");
            if (!"UTF-8".equalsIgnoreCase(encoding)) {
                // CAST(blob AS TEXT) would convert to UTF-16 and alter the key bytes.
                throw foreign(path, "its text encoding is " + encoding + ", not UTF-8");
            }
        }
    }

    private static ForeignFormatException foreign(Path path, String why) {
        return new ForeignFormatException(StoreFormat.SQLITE, path + " is a SQLite database but not a sasldb4j store ("
                + why + "); refusing to touch it");
    }

    private static List<String> columns(Statement s) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("PRAGMA table_info(" + TABLE + ")")) {
            while (rs.next()) {
                out.add(rs.getString("name") + " " + rs.getString("type").toUpperCase(Locale.ROOT) + " " + rs.getInt("pk"));
            }
        }
        return out;
    }

    private static int objectCount(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_schema")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    static int userVersion(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    static String string(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
