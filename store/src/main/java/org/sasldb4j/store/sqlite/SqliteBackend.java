package org.sasldb4j.store.sqlite;

import java.nio.file.Path;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreException;

/** Opens SQLite stores. The store type itself stays inside this package. */
public final class SqliteBackend {
    private SqliteBackend() {}

    /** Opens (initialising an empty file) the SQLite store at {@code path}. */
    public static CredentialStore open(Path path, boolean readOnly) {
        throw new StoreException("the SQLite backend is not built yet");
    }

    public static Path walFile(Path data) {
        return Path.of(data + "-wal");
    }

    public static Path shmFile(Path data) {
        return Path.of(data + "-shm");
    }
}
