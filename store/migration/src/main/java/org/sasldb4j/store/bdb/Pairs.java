package org.sasldb4j.store.bdb;

import java.util.function.Consumer;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.secret.Wipe;

/**
 * Pairs the items of a text dump, which alternate key, value, key, value. A damaged item still
 * takes its place in the alternation so that one bad line loses one record, not the pairing of
 * everything after it.
 */
final class Pairs {
    private final DamageSink sink;
    private final Consumer<? super Entry> action;
    private boolean haveKey;
    private byte[] key;
    private String keyWhere;
    private long count;

    Pairs(DamageSink sink, Consumer<? super Entry> action) {
        this.sink = sink;
        this.action = action;
    }

    /** The next item, or {@code null} for one that could not be decoded (already reported). */
    void item(byte[] bytes, String where) {
        if (!haveKey) {
            haveKey = true;
            key = bytes;
            keyWhere = where;
            return;
        }
        haveKey = false;
        count++;
        byte[] k = key;
        key = null;
        if (k == null || bytes == null) {
            Wipe.bytes(k);
            Wipe.bytes(bytes);
            return;
        }
        Records.deliver(k, bytes, keyWhere, sink, action);
    }

    /** Pairs seen, whole or damaged. */
    long count() {
        return count;
    }

    /** Ends a section: a key left without its value is damage. */
    void end(String where) {
        if (haveKey) {
            haveKey = false;
            Wipe.bytes(key);
            key = null;
            sink.skip(sink.damage(where, "the key at " + keyWhere + " has no value"));
        }
    }
}
