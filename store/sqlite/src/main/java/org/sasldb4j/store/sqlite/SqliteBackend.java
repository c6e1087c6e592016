package org.sasldb4j.store.sqlite;

import java.nio.file.Path;
import java.util.List;
import org.sasldb4j.store.Backend;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreBackend;
import org.sasldb4j.store.StoreFormat;

/**
 * Opens SQLite stores: one table {@code sasldb(authid, realm, property, value)} that the Cyrus
 * SASL sql auxprop plugin can read (see {@code docs/sqlite.md}). Registered as a
 * {@link StoreBackend} (META-INF/services); the store type itself stays inside this package.
 */
public final class SqliteBackend implements StoreBackend {
    /** For {@link java.util.ServiceLoader}. */
    public SqliteBackend() {}

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

    @Override
    public Backend kind() {
        return Backend.SQLITE;
    }

    @Override
    public StoreFormat format() {
        return StoreFormat.SQLITE;
    }

    @Override
    public List<String> sideFileSuffixes() {
        return List.of("-wal", "-shm", "-journal");
    }

    /** SQLite opens its side files without following links. */
    @Override
    public String sideFileCreatedFirst() {
        return null;
    }

    @Override
    public List<Path> files(Path data) {
        return List.of(data, walFile(data), shmFile(data));
    }

    /** SQLite opens the file without following a link: it is given a trusted link resolved. */
    @Override
    public CredentialStore open(Path given, Path resolved, boolean readOnly) {
        return open(resolved, readOnly);
    }
}
