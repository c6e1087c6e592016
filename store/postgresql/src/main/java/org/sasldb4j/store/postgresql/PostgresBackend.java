package org.sasldb4j.store.postgresql;

import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.ServerStoreBackend;
import org.sasldb4j.store.StoreAddress;
import org.sasldb4j.store.StoreOptions;

/**
 * Opens stores on a PostgreSQL server, named by a {@code postgresql://} URI or
 * {@code service=NAME} (see {@link PgConnector}; docs/postgresql.md). Registered as a
 * {@link ServerStoreBackend} (META-INF/services); the store type itself stays in this package.
 *
 * <p>{@link StoreOptions#backend()} is ignored, and so is {@link StoreOptions#readsSecrets()}:
 * who may read the secrets is decided by the database's grants, not by file modes.
 */
public final class PostgresBackend implements ServerStoreBackend {
    /** For {@link java.util.ServiceLoader}. */
    public PostgresBackend() {}

    @Override
    public boolean accepts(String address) {
        return StoreAddress.isServer(address);
    }

    @Override
    public CredentialStore open(String address, StoreOptions options) {
        return PostgresStore.open(address, options);
    }
}
