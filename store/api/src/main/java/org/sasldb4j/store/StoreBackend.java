package org.sasldb4j.store;

import java.nio.file.Path;
import java.util.List;

/**
 * A kind of store file, provided by its own module and found by {@link StoreBackends} through
 * {@link java.util.ServiceLoader}: the API names no backend, so an embedder puts on the class path
 * the backends it wants ({@code sasldb4j-store-lmdb}, {@code sasldb4j-store-sqlite}).
 *
 * <p>The file checks (directories, links, modes) stay in the API and run before
 * {@link #open}: a backend only says which side files its library keeps beside the data file.
 *
 * <p>An implementation has a public no-argument constructor, is listed in
 * {@code META-INF/services/org.sasldb4j.store.StoreBackend}, and is stateless and thread-safe.
 */
public interface StoreBackend {

    /** The kind of file a new store of this backend gets ({@code --backend} names it). */
    Backend kind();

    /** The format of this backend's files, as {@link StoreFormat#detect} recognises it by content. */
    StoreFormat format();

    /** Suffixes of the side files the backend's library may create beside the data file. */
    List<String> sideFileSuffixes();

    /**
     * The side file (one of {@link #sideFileSuffixes}) that the backend's library opens, and
     * creates, following links, so the opener creates and checks it first; null if none.
     */
    String sideFileCreatedFirst();

    /**
     * The data file and the side files that hold or index secrets, which must not be accessible
     * to others when secrets are read.
     */
    List<Path> files(Path data);

    /**
     * Opens the checked file, initialising a zero-byte file in place.
     *
     * @param given the path as the caller gave it
     * @param resolved the same file with a link the checks trusted resolved, for a library that
     *     opens without following links
     * @param readOnly if true nothing in the file is changed and writes are refused
     * @throws StoreException naming the file on any failure
     */
    CredentialStore open(Path given, Path resolved, boolean readOnly);

    /**
     * Loads the backend's native code now, touching no file, so that a caller about to read for
     * a while can overlap that cost with its reading. Safe from any thread, any number of times.
     */
    default void loadNativeCode() {}
}
