package org.sasldb4j.store;

import jnr.ffi.LibraryLoader;

/**
 * The few C library calls the JDK does not offer, bound once per process with jnr-ffi (which
 * lmdbjava brings): {@code lseek} with {@code SEEK_DATA}/{@code SEEK_HOLE} for the Berkeley DB
 * reader, {@code posix_fallocate} for LMDB's lock file. For the store's own backends and readers;
 * not an API for embedders. jnr-ffi is an optional dependency of the API: the modules that call
 * this class (store/lmdb, store/migration) bring it.
 */
public final class Libc {
    /** The calls; jnr-ffi binds them by name. Errors are negative results, as in C. */
    public interface Calls {
        int open(String path, int flags, int mode);

        long lseek(int fd, long offset, int whence);

        int posix_fallocate(int fd, long offset, long len);

        int close(int fd);
    }

    private static volatile Calls calls;

    private Libc() {}

    /**
     * The bound calls, or null where libc cannot be loaded (no native support for this
     * platform): callers then do without, never guess.
     */
    public static Calls orNull() {
        Calls c = calls;
        if (c == null) {
            try {
                c = LibraryLoader.create(Calls.class).load("c");
                calls = c;
            } catch (RuntimeException | LinkageError e) {
                return null;
            }
        }
        return c;
    }
}
