package org.sasldb4j.store.postgresql;

import java.nio.charset.StandardCharsets;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StrictUtf8;
import org.sasldb4j.store.UserId;

/**
 * Key components as PostgreSQL text. A PostgreSQL text value is valid UTF-8 (in a UTF8
 * database) without NUL, while a Cyrus key is any bytes: keys outside that set cannot be stored
 * here, and cannot exist here either, so reads and deletes of them find nothing.
 */
final class Keys {
    private Keys() {}

    /** The component as text, or null if PostgreSQL text cannot hold it. */
    static String text(byte[] bytes) {
        boolean ascii = true;
        for (byte b : bytes) {
            if (b == 0) {
                return null;
            }
            ascii &= b > 0;
        }
        // Most names are ASCII: a batch converts three per record, and the strict decoder costs
        // more than the rest of the client's work.
        return ascii ? new String(bytes, StandardCharsets.US_ASCII) : StrictUtf8.decodeOrNull(bytes);
    }

    /** True if every component of the user can be text. */
    static boolean representable(UserId user) {
        return text(user.authidBytes()) != null && text(user.realmBytes()) != null;
    }

    static boolean representable(String property) {
        return property.indexOf('\0') < 0 && StrictUtf8.isValid(property.getBytes(StandardCharsets.UTF_8));
    }

    /** Refuses an entry PostgreSQL text cannot hold (a component {@link #text} gave null for). */
    static StoreException unrepresentable(Entry e, String name) {
        return new StoreException("cannot store " + e + " in " + name + ": a PostgreSQL store keeps user ids,"
                + " realms and property names as UTF-8 text, and this key is not valid UTF-8; keep such names"
                + " in an LMDB store");
    }
}
