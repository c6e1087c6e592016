package org.sasldb4j.store.postgresql;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreNotFoundException;

/**
 * The store's objects in the database: schema {@code sasldb4j}, created from
 * {@code schema-1.sql} (every object is described in docs/postgresql.md) and versioned by the
 * one row of {@code sasldb4j.schema_version}.
 *
 * <p>Creation and upgrades run in one transaction under the advisory lock every writer takes
 * ({@link #WRITE_LOCK}), so two tools creating the same store at once end with one schema.
 * A schema newer than this code is refused, never changed.
 */
public final class Schema {
    /** The version this code creates and understands. */
    public static final int VERSION = 1;
    /**
     * The transaction-scoped advisory lock that serialises writers; the same key as in the
     * change-log trigger of schema-1.sql, which every writer takes whatever client it is.
     */
    static final long WRITE_LOCK = 7310500521L;

    private Schema() {}

    /** {@link #createOrUpgrade(Connection, String)} with messages naming "the database". */
    public static void createOrUpgrade(Connection c) {
        createOrUpgrade(c, "the database");
    }

    /**
     * Creates the schema when the database has none, upgrades an older one, and commits; a
     * current one is left alone. Leaves the connection with no transaction open.
     *
     * @param c a connection with autocommit off
     * @throws StoreException if the database's schema is newer than {@link #VERSION}, the
     *     database is not UTF8, or the role may not create the schema
     */
    public static void createOrUpgrade(Connection c, String name) {
        try {
            try (Statement s = c.createStatement()) {
                requireUtf8(s, name);
                s.execute("SELECT pg_advisory_xact_lock(" + WRITE_LOCK + ")");
                Integer version = version(s);
                if (version == null) {
                    for (String statement : statements("schema-1.sql")) {
                        s.execute(statement);
                    }
                } else if (version > VERSION) {
                    throw newer(name, version);
                } else if (version < VERSION) {
                    // No version before 1 exists: an upgrade step would run here, one script per version.
                    throw new StoreException(name + ": unknown schema version " + version);
                }
            }
            c.commit();
        } catch (SQLException e) {
            rollbackQuietly(c);
            throw PgErrors.failure("cannot create the store in", name, e);
        } catch (RuntimeException e) {
            rollbackQuietly(c);
            throw e;
        }
    }

    /**
     * Checks that the database holds a store this code understands, without changing anything.
     * Leaves the connection with no transaction open.
     *
     * @throws StoreNotFoundException if there is no store (its {@code store()} is the path made
     *     of {@code name}, as {@code PostgresStore.path()} gives)
     * @throws StoreException if the schema is newer than {@link #VERSION} or older (open it for
     *     writing to upgrade it)
     */
    public static void check(Connection c, String name) {
        try (Statement s = c.createStatement()) {
            requireUtf8(s, name);
            Integer version = version(s);
            if (version == null) {
                throw new StoreNotFoundException(name + ": no sasldb4j store in this database", Path.of(name));
            }
            if (version > VERSION) {
                throw newer(name, version);
            }
            if (version < VERSION) {
                throw new StoreException(name + ": the store's schema is version " + version
                        + "; open it for writing once to upgrade it to version " + VERSION);
            }
        } catch (SQLException e) {
            throw PgErrors.failure("cannot read", name, e);
        } finally {
            rollbackQuietly(c);
        }
    }

    /** The schema's version, or null when there is no store. */
    private static Integer version(Statement s) throws SQLException {
        try (ResultSet r = s.executeQuery("SELECT to_regclass('sasldb4j.schema_version') IS NOT NULL")) {
            r.next();
            if (!r.getBoolean(1)) {
                return null;
            }
        }
        try (ResultSet r = s.executeQuery("SELECT version FROM sasldb4j.schema_version")) {
            return r.next() ? r.getInt(1) : null;
        }
    }

    /**
     * Text keys are compared as UTF-8 bytes: a database in another encoding would store other
     * bytes (or, in SQL_ASCII, accept invalid ones that Cyrus and Dovecot then misread).
     */
    private static void requireUtf8(Statement s, String name) throws SQLException {
        try (ResultSet r = s.executeQuery("SELECT current_setting('server_encoding')")) {
            r.next();
            String enc = r.getString(1);
            if (!"UTF8".equals(enc)) {
                throw new StoreException(name + ": the database's encoding is " + enc + "; sasldb4j needs UTF8"
                        + " (createdb -E UTF8 -T template0 ...; see docs/postgresql.md)");
            }
        }
    }

    private static StoreException newer(String name, int version) {
        return new StoreException(name + ": the store's schema is version " + version + ", newer than this"
                + " sasldb4j understands (" + VERSION + "); upgrade sasldb4j");
    }

    /** The statements of a schema script: separated by lines holding only {@code ;;} (function bodies contain ';'). */
    static List<String> statements(String resource) {
        String text;
        try (InputStream in = Schema.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + resource, e);
        }
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.strip().equals(";;")) {
                add(out, cur);
                cur.setLength(0);
            } else {
                cur.append(line).append('\n');
            }
        }
        add(out, cur);
        return out;
    }

    private static void add(List<String> out, StringBuilder cur) {
        String s = cur.toString().strip();
        // A chunk of comments only is no statement.
        boolean onlyComments = s.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("--"));
        if (!onlyComments) {
            out.add(s);
        }
    }

    static void rollbackQuietly(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException e) {
            // The connection is gone; the server rolled back.
        }
    }
}
