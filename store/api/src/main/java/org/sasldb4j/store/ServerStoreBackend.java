package org.sasldb4j.store;

/**
 * A store kept by a database server rather than in a file, provided by its own module
 * ({@code sasldb4j-store-postgresql}) and found through {@link java.util.ServiceLoader}.
 *
 * <p>An implementation has a public no-argument constructor, is listed in
 * {@code META-INF/services/org.sasldb4j.store.ServerStoreBackend}, and is stateless and
 * thread-safe.
 */
public interface ServerStoreBackend {

    /** True if this backend serves {@code address} (one for which {@link StoreAddress#isServer} holds). */
    boolean accepts(String address);

    /**
     * Connects to the store at {@code address}; with {@link StoreOptions.Access#CREATE} the
     * schema is created when the database has none, and upgraded when it is older.
     *
     * @throws StoreNotFoundException if the database holds no store and creation was not asked for
     * @throws StoreException on any other failure, with a message for the user that shows the
     *     address only as {@link StoreAddress#redacted}
     */
    CredentialStore open(String address, StoreOptions options);
}
