package org.sasldb4j.store.lmdb;

import java.nio.file.Path;
import java.util.List;
import org.sasldb4j.store.Backend;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreBackend;
import org.sasldb4j.store.StoreFormat;

/**
 * Opens LMDB stores laid out as Cyrus SASL's LMDB sasldb; registered as a {@link StoreBackend}
 * (META-INF/services). The store type stays in this package.
 */
public final class LmdbBackend implements StoreBackend {
    private static final String LOCK_SUFFIX = "-lock";

    /** For {@link java.util.ServiceLoader}. */
    public LmdbBackend() {}

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
        return Path.of(data + LOCK_SUFFIX);
    }

    @Override
    public Backend kind() {
        return Backend.LMDB;
    }

    @Override
    public StoreFormat format() {
        return StoreFormat.LMDB;
    }

    @Override
    public List<String> sideFileSuffixes() {
        return List.of(LOCK_SUFFIX);
    }

    /** LMDB opens (and creates) {@code <path>-lock} following links. */
    @Override
    public String sideFileCreatedFirst() {
        return LOCK_SUFFIX;
    }

    @Override
    public List<Path> files(Path data) {
        return List.of(data, lockFile(data));
    }

    /** LMDB is given the path as given: the checks made its lock file safe first. */
    @Override
    public CredentialStore open(Path given, Path resolved, boolean readOnly) {
        return open(given, readOnly);
    }

    @Override
    public void loadNativeCode() {
        preload();
    }
}
