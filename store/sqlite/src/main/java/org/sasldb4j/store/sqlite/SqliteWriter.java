package org.sasldb4j.store.sqlite;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreWriter;
import org.sasldb4j.store.UserId;

/** The operations of one write transaction; unusable once {@link SqliteStore#write} returns. */
final class SqliteWriter implements StoreWriter {
    private final Records records;
    private final Path path;
    private boolean valid = true;

    SqliteWriter(Records records, Path path) {
        this.records = records;
        this.path = path;
    }

    void invalidate() {
        valid = false;
    }

    @Override
    public Optional<byte[]> get(UserId user, String property) {
        check();
        try {
            return records.get(user, property);
        } catch (SQLException e) {
            throw SqlErrors.failure("cannot read", path, e);
        }
    }

    @Override
    public List<Entry> user(UserId user) {
        check();
        try {
            return records.user(user);
        } catch (SQLException e) {
            throw SqlErrors.failure("cannot read", path, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>SQLite itself has no such limit; the LMDB one applies so that every store can be copied
     * to the other backend (and to Cyrus's LMDB sasldb).
     */
    @Override
    public void put(Entry entry) {
        check();
        entry.requireKeyFits();
        try {
            records.put(entry);
        } catch (SQLException e) {
            throw SqlErrors.failure("cannot write to", path, e);
        }
    }

    @Override
    public boolean delete(UserId user, String property) {
        check();
        try {
            return records.delete(user, property);
        } catch (SQLException e) {
            throw SqlErrors.failure("cannot write to", path, e);
        }
    }

    @Override
    public int deleteUser(UserId user) {
        check();
        try {
            return records.deleteUser(user);
        } catch (SQLException e) {
            throw SqlErrors.failure("cannot write to", path, e);
        }
    }

    private void check() {
        if (!valid) {
            throw new IllegalStateException("this writer's transaction on " + path + " has ended");
        }
    }
}
