package org.sasldb4j.store;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A sasldb credential store: records {@code (authid, realm, property) -> value} in the Cyrus
 * keyspace, kept in an LMDB file (Cyrus's LMDB layout, readable by libsasl) or a SQLite file.
 *
 * <p>Open one with {@link #open(Path, StoreOptions)}; the kind of an existing file is recognised
 * from its content. Every read runs in its own short read transaction, so it sees what other
 * processes committed before it started. Every {@link #write} is one transaction: a crash never
 * leaves half of it. Writers from several processes are serialised by the backend.
 *
 * <p>Instances are safe for use by several threads. Close them.
 *
 * <p><b>Security:</b> values may be passwords. Results are copies the caller should wipe.
 */
public interface CredentialStore extends RecordSource {

    /**
     * Opens (or, with {@link StoreOptions.Access#CREATE}, creates) the store at {@code path}.
     *
     * @throws StoreNotFoundException if the file is missing and creation was not asked for
     * @throws ForeignFormatException if the file is a Berkeley DB sasldb2, text, or unrecognised
     * @throws UnsafePermissionsException if secrets are to be read and others can access the file
     * @throws StoreException on any other failure, with a message for the user
     */
    static CredentialStore open(Path path, StoreOptions options) {
        return StoreOpener.open(path, options);
    }

    /**
     * Opens the store named {@code name}: a database server's address (see {@link StoreAddress})
     * through the {@link ServerStoreBackend} that accepts it, otherwise the file at that path as
     * {@link #open(Path, StoreOptions)} does.
     *
     * @throws StoreException as {@link #open(Path, StoreOptions)}, or saying which module to add
     *     when no backend on the class path serves the address
     */
    static CredentialStore open(String name, StoreOptions options) {
        if (!StoreAddress.isServer(name)) {
            return open(Path.of(name), options);
        }
        return StoreBackends.server(name).open(name, options);
    }

    /** The value of one property, copied; empty if absent. */
    Optional<byte[]> get(UserId user, String property);

    /** All records of a user, in key order; empty if the user has none. */
    List<Entry> user(UserId user);

    /**
     * Runs {@code work} in one write transaction and commits it if the work returns normally; an
     * exception from the work rolls everything back and is rethrown.
     *
     * <p>The work may be run more than once (the LMDB map is grown and the transaction retried),
     * so it must not have effects outside the writer.
     *
     * @throws StoreException if the store was opened read-only or the write fails
     */
    <R> R write(Function<StoreWriter, R> work);

    /**
     * How full the store is (see {@link StoreStats}), for monitoring. Cheap, bounded in time and
     * free of write locks: safe to call on every scrape while logins run. A closed store, or a
     * backend that knows nothing, gives {@link StoreStats#NONE}; it never throws.
     */
    default StoreStats stats() {
        return StoreStats.NONE;
    }

    /**
     * Compare-and-set on one user: in one write transaction, reads the user's records and runs
     * {@code work} only if their {@link RecordsDigest} is {@code expectedDigest}, i.e. the user's
     * records are byte for byte what the caller read before. Nothing is written otherwise. A
     * change committed by another process or thread between the caller's read and this write
     * (a {@code saslpasswd} password change, a deletion, {@code --disable}) is therefore never
     * overwritten: writers are serialised by the backend, so the records compared are the ones
     * the work's writes replace.
     *
     * <p>The work may be run more than once, as with {@link #write}.
     *
     * @param expectedDigest {@link RecordsDigest#of} the records read before (an empty user has
     *     the digest of no records); not modified
     * @return true if the records were unchanged and the work committed; false if they had
     *     changed and nothing was written
     * @throws StoreException if the store was opened read-only or the write fails
     */
    default boolean writeIfUnchanged(UserId user, byte[] expectedDigest, Consumer<StoreWriter> work) {
        return write(w -> {
            List<Entry> now = w.user(user);
            byte[] digest = RecordsDigest.of(now);
            try {
                if (!RecordsDigest.same(digest, expectedDigest)) {
                    return false;
                }
            } finally {
                java.util.Arrays.fill(digest, (byte) 0);
                now.forEach(Entry::wipe);
            }
            work.accept(w);
            return true;
        });
    }

    /** {@link #write} for work without a result. */
    default void update(Consumer<StoreWriter> work) {
        write(w -> {
            work.accept(w);
            return null;
        });
    }
}
