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

    /**
     * Loads LMDB's native library and its JNR binding now (touching no file), so that a caller
     * about to read for a while (a conversion) can overlap this start-up cost with its reading.
     * Safe to call from any thread, any number of times.
     */
    public static void preload() {
        NativeLibrary.preferSystem();
        try {
            Class.forName("org.lmdbjava.Library", true, LmdbBackend.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            // The store open that follows reports the problem properly.
        }
    }

    /** LMDB's lock file for a data file opened with MDB_NOSUBDIR: {@code <path>-lock}. */
    public static Path lockFile(Path data) {
        return Path.of(data + "-lock");
    }
}
