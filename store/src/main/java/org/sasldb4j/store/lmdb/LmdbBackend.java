package org.sasldb4j.store.lmdb;

import java.nio.file.Path;
import org.sasldb4j.store.CredentialStore;

/** Opens LMDB stores laid out as Cyrus SASL's LMDB sasldb. The store type stays in this package. */
public final class LmdbBackend {
    private LmdbBackend() {}

    /** Opens (initialising an empty file) the LMDB store at {@code path}. */
    public static CredentialStore open(Path path, boolean readOnly) {
        return LmdbStore.open(path, readOnly);
    }

    /** LMDB's lock file for a data file opened with MDB_NOSUBDIR: {@code <path>-lock}. */
    public static Path lockFile(Path data) {
        return Path.of(data + "-lock");
    }
}
