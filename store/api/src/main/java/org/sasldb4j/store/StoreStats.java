package org.sasldb4j.store;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * How full a store is, in terms that mean the same whatever the backend: for monitoring
 * ({@code sasldb-authd --metrics}). A backend gives what it knows and leaves the rest empty.
 *
 * <p>Reading it is cheap and takes no write lock: it never delays a login or a writer.
 *
 * @param bytesUsed the bytes the data occupies (LMDB: pages up to the last one used; SQLite:
 *     the database file's size)
 * @param bytesCapacity the most it may occupy before the backend must grow its space (LMDB: the
 *     map size, which the store doubles by itself when a write finds it full); empty when the
 *     backend has no such limit
 * @param readerSlotsUsed slots of a shared reader table taken by any process (LMDB: the table's
 *     high-water mark, which never goes down while the lock file lives: an upper bound of the
 *     slots in use now)
 * @param readerSlotsMax the size of that table (LMDB: 126); a full table refuses new readers
 */
public record StoreStats(OptionalLong bytesUsed, OptionalLong bytesCapacity, OptionalInt readerSlotsUsed,
        OptionalInt readerSlotsMax) {

    /** Nothing known. */
    public static final StoreStats NONE = new StoreStats(OptionalLong.empty(), OptionalLong.empty(),
            OptionalInt.empty(), OptionalInt.empty());

    /** Requires every field present (possibly empty) and none negative. */
    public StoreStats {
        if (bytesUsed == null || bytesCapacity == null || readerSlotsUsed == null || readerSlotsMax == null) {
            throw new IllegalArgumentException("use empty optionals, not null");
        }
        if (bytesUsed.orElse(0) < 0 || bytesCapacity.orElse(0) < 0 || readerSlotsUsed.orElse(0) < 0
                || readerSlotsMax.orElse(0) < 0) {
            throw new IllegalArgumentException("store statistics cannot be negative");
        }
    }
}
