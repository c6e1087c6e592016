package org.sasldb4j.store.postgresql;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreWriter;
import org.sasldb4j.store.UserId;

/**
 * The operations of one write transaction on a PostgreSQL store; unusable once
 * {@link PostgresStore#write} returns.
 *
 * <p>Puts are sent in batches (pgjdbc rewrites a batch into multi-row INSERTs, so the change-log
 * trigger runs once per batch, not per record): a batch is flushed before any other statement
 * and before the commit, so the writer always sees its own writes.
 */
final class PostgresWriter implements StoreWriter {
    static final String PUT = "INSERT INTO sasldb4j.records (authid, realm, property, value) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (authid, realm, property) DO UPDATE SET value = EXCLUDED.value";
    static final String DELETE = "DELETE FROM sasldb4j.records WHERE authid = ? AND realm = ? AND property = ?";
    static final String DELETE_SOME = "DELETE FROM sasldb4j.records WHERE authid = ? AND realm = ? AND property = ANY (?)";
    static final String DELETE_USER = "DELETE FROM sasldb4j.records WHERE authid = ? AND realm = ?";
    /** Enough rows per statement to make the trigger and round trips negligible, few enough to bound memory. */
    static final int BATCH = 500;

    private final Connection c;
    private final String name;
    private PreparedStatement puts;
    private int pending;
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
        Keys.requireRepresentable(entry, name);
        byte[] value = entry.value();
        try {
            if (puts == null) {
                puts = c.prepareStatement(PUT);
            }
            puts.setString(1, Keys.text(entry.authidBytes()));
            puts.setString(2, Keys.text(entry.realmBytes()));
            puts.setString(3, Keys.text(entry.propertyBytes()));
            puts.setBytes(4, value);
            puts.addBatch();
            pending++;
            if (pending >= BATCH) {
                flush();
            }
        } catch (SQLException e) {
            throw PgErrors.failure("cannot write to", name, e);
        } finally {
            java.util.Arrays.fill(value, (byte) 0);
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

    /** Sends the pending puts. */
    void flush() throws SQLException {
        PreparedStatement batch = puts;
        if (pending > 0 && batch != null) {
            pending = 0;
            try {
                batch.executeBatch();
            } catch (java.sql.BatchUpdateException e) {
                // The batch's own message quotes the statement with its values (passwords): only
                // the server's error, next in the chain, goes on.
                SQLException next = e.getNextException();
                throw next != null ? next : new SQLException("a batch of writes failed", e.getSQLState());
            }
        }
    }

    /** Ends the writer: later calls fail. */
    void invalidate() {
        valid = false;
        if (puts != null) {
            try {
                puts.close();
            } catch (SQLException e) {
                // The transaction is over either way.
            }
            puts = null;
        }
    }

    private void check() {
        if (!valid) {
            throw new IllegalStateException("this writer's transaction on " + name + " has ended");
        }
    }
}
