package org.sasldb4j.store;

import java.util.List;
import java.util.Optional;

/**
 * The operations of one write transaction, handed to the work passed to
 * {@link CredentialStore#write}. Everything done through one writer commits together or not at
 * all. A writer is valid only during that call.
 */
public interface StoreWriter {

    /** The value of one property, copied; empty if absent. */
    Optional<byte[]> get(UserId user, String property);

    /** All records of a user, in key order. */
    List<Entry> user(UserId user);

    /**
     * Stores a record, replacing any value under the same key. The bytes of a replaced value are
     * overwritten where the backend allows.
     *
     * @throws StoreException if the key is longer than {@link Entry#MAX_KEY_LENGTH} bytes
     */
    void put(Entry entry);

    /** Stores one property of a user. */
    default void put(UserId user, String property, byte[] value) {
        put(Entry.of(user, property, value));
    }

    /** Removes one property; returns whether it existed. */
    boolean delete(UserId user, String property);

    /**
     * Removes the named properties of a user; returns how many existed. Backends that can visit
     * them in one pass do so (a password change deletes three legacy keys that rarely exist).
     */
    default int delete(UserId user, java.util.Collection<String> properties) {
        int n = 0;
        for (String p : properties) {
            if (delete(user, p)) {
                n++;
            }
        }
        return n;
    }

    /** Removes every record of a user; returns how many there were. */
    int deleteUser(UserId user);
}
