package org.sasldb4j.store.bdb;

import java.util.Arrays;
import java.util.function.Consumer;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.MalformedKeyException;

/** Turns raw key/value pairs into {@link Entry} records; shared by every foreign reader. */
final class Records {
    private Records() {}

    /**
     * Hands {@code key -> value} to {@code action}, or reports a key without exactly two NULs to
     * the sink. The value array is wiped afterwards: the entry holds its own copy, and the raw
     * bytes may be a password.
     */
    static void deliver(byte[] key, byte[] value, String where, DamageSink sink, Consumer<? super Entry> action) {
        Entry entry;
        try {
            entry = Entry.fromKey(key, value);
        } catch (MalformedKeyException e) {
            sink.malformed(where, e.getMessage());
            return;
        } finally {
            Arrays.fill(value, (byte) 0);
        }
        action.accept(entry);
    }
}
