package org.sasldb4j.store.sqlite;

import java.nio.file.Path;
import org.sasldb4j.store.CredentialStore;

/**
 * Opens SQLite stores: one table {@code sasldb(authid, realm, property, value)} that the Cyrus
 * SASL sql auxprop plugin can read (see {@code docs/sqlite.md}). The store type itself stays
 * inside this package.
 */
public final class SqliteBackend {
    private SqliteBackend() {}

    /**
     * Opens the SQLite store at {@code path}, initialising a zero-byte file in place.
     *
     * @param readOnly if true nothing in the file is changed and writes are refused
     * @throws org.sasldb4j.store.ForeignFormatException if the file is a SQLite database without
     *     the sasldb4j table (it is left untouched)
     * @throws org.sasldb4j.store.StoreException on any other failure, naming the file
     */
    public static CredentialStore open(Path path, boolean readOnly) {
        return SqliteStore.open(path, readOnly);
    }

    /** SQLite's write-ahead log beside the data file: {@code <path>-wal}. */
    public static Path walFile(Path data) {
        return Path.of(data + "-wal");
    }

    /** SQLite's shared-memory index of the WAL: {@code <path>-shm}. */
    public static Path shmFile(Path data) {
        return Path.of(data + "-shm");
    }
}
