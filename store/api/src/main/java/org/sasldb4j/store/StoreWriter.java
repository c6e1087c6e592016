package org.sasldb4j.store;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
    default int delete(UserId user, Collection<String> properties) {
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

    /**
     * Which of {@code users} have at least one record, read in this transaction. Bulk work (a
     * {@code saslpasswd --batch} chunk) asks once for all its users; a server backend answers in
     * one round trip instead of one per user. The default asks {@link #user} for each (and wipes
     * the records it read).
     *
     * @return a new mutable set, a subset of {@code users}
     */
    default Set<UserId> existingUsers(Collection<UserId> users) {
        Set<UserId> out = new HashSet<>();
        for (UserId u : users) {
            List<Entry> records = user(u);
            if (!records.isEmpty()) {
                out.add(u);
            }
            records.forEach(Entry::wipe);
        }
        return out;
    }

    /**
     * Removes every record of each user, as {@link #deleteUser} for each; returns how many
     * records there were. A server backend sends one statement for all.
     */
    default int deleteUsers(Collection<UserId> users) {
        int n = 0;
        for (UserId u : users) {
            n += deleteUser(u);
        }
        return n;
    }

    /**
     * Removes the named properties of each user, as {@link #delete(UserId, Collection)}
     * for each; returns how many existed. A server backend sends one statement for all.
     */
    default int deleteProperties(Collection<UserId> users, Collection<String> properties) {
        int n = 0;
        for (UserId u : users) {
            n += delete(u, properties);
        }
        return n;
    }
}
