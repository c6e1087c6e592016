package org.sasldb4j.store.bdb;

import java.util.Arrays;
import java.util.function.Consumer;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.Entry;

/**
 * What a pass over a hash file and over a btree file share: a page of items is an index of
 * offsets and key/data pairs in index order; a page whose index does not fit, an odd item, a
 * damaged pair is skipped (salvage) or ends the pass, as the {@link DamageSink} says. The walks
 * differ in which pages they visit and how an item is laid out ({@link #item}).
 */
abstract class PageWalk {
    final PageFile file;
    final DamageSink sink;
    private final Consumer<? super Entry> action;

    PageWalk(PageFile file, DamageSink sink, Consumer<? super Entry> action) {
        this.file = file;
        this.sink = sink;
        this.action = action;
    }

    /** The bytes of item {@code i} of {@code p}, copied out, or a {@link DamagedStoreException}. */
    abstract byte[] item(Page p, int i, String where);

    /** True if the pair at {@code i} is marked deleted but still on the page (not a record). */
    boolean deleted(Page p, int i, String where) {
        return false;
    }

    /** Delivers the key/data pairs of {@code p} in index order. */
    final void pairs(Page p, String where) {
        int n = p.entries();
        if (!indexFits(p, n, where)) {
            return;
        }
        if (n % 2 != 0) {
            sink.skip(sink.damage(where, "odd number of items (" + n + "); the last one skipped"));
            n--;
        }
        for (int i = 0; i < n; i += 2) {
            byte[] key;
            byte[] value;
            try {
                if (deleted(p, i, where) || deleted(p, i + 1, where)) {
                    continue;
                }
                key = item(p, i, where);
                try {
                    value = item(p, i + 1, where);
                } catch (DamagedStoreException e) {
                    Arrays.fill(key, (byte) 0);
                    throw e;
                }
            } catch (DamagedStoreException e) {
                sink.skip(e);
                continue;
            }
            Records.deliver(key, value, where + " item " + i, sink, action);
        }
    }

    /** True if {@code n} index entries and the item space fit in the page; else reported. */
    final boolean indexFits(Page p, int n, String where) {
        int indexEnd = file.overhead() + 2 * n;
        int hoff = p.hfOffset();
        if (indexEnd > p.size() || hoff < indexEnd || hoff > p.size()) {
            sink.skip(sink.damage(where, n + " index entries and item space from " + hoff
                    + " do not fit in a page of " + p.size() + " bytes; items skipped"));
            return false;
        }
        return true;
    }
}
