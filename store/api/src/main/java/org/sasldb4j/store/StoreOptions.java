package org.sasldb4j.store;

/**
 * How to open a store.
 *
 * @param access read only, read-write, or create when missing (or zero bytes long)
 * @param backend the kind of file to create; an existing file keeps its kind
 * @param readsSecrets if true the file and its side files must not be accessible to others
 *     (see {@link PermissionPolicy})
 */
public record StoreOptions(Access access, Backend backend, boolean readsSecrets) {

    /** What the caller will do with the store. */
    public enum Access {
        /** Read only; a missing file is an error. */
        READ_ONLY,
        /** Read and write; a missing file is an error. */
        READ_WRITE,
        /** Read and write; a missing or zero-byte file is initialised as a new store. */
        CREATE
    }

    public StoreOptions {
        if (access == null || backend == null) {
            throw new IllegalArgumentException("access and backend are required");
        }
    }

    /** Listing: read only, secrets not read. */
    public static StoreOptions readOnly() {
        return new StoreOptions(Access.READ_ONLY, Backend.LMDB, false);
    }

    /** Administration: read-write, creating an LMDB store when missing. */
    public static StoreOptions create() {
        return new StoreOptions(Access.CREATE, Backend.LMDB, false);
    }

    public StoreOptions withBackend(Backend b) {
        return new StoreOptions(access, b, readsSecrets);
    }

    public StoreOptions withAccess(Access a) {
        return new StoreOptions(a, backend, readsSecrets);
    }

    public StoreOptions readingSecrets() {
        return new StoreOptions(access, backend, true);
    }
}
