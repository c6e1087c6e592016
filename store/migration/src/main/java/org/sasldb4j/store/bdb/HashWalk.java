package org.sasldb4j.store.bdb;

import java.util.Arrays;
import java.util.function.Consumer;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.Entry;

/**
 * One pass over a Berkeley DB hash file in bucket order (docs/reference/cyrus-sasldb.md §5.3), which is the order of
 * {@code db_dump} and {@code sasldblistusers2}.
 */
final class HashWalk extends PageWalk {
    private static final int H_KEYDATA = 1;
    private static final int H_DUPLICATE = 2;
    private static final int H_OFFPAGE = 3;
    private static final int H_OFFDUP = 4;
    /** An off-page reference: type, 3 unused bytes, pgno, tlen. */
    private static final int HOFFPAGE_SIZE = 12;

    HashWalk(PageFile file, DamageSink sink, Consumer<? super Entry> action) {
        super(file, sink, action);
    }

    void run() {
        Meta meta = file.meta();
        long maxBucket = meta.maxBucket;
        // Every bucket has its own page: more buckets than pages means a damaged meta page, and
        // trusting it would make a salvage pass report billions of missing buckets.
        if (maxBucket > file.limit() - 2) {
            sink.skip(sink.damage("page 0", "max_bucket " + maxBucket + " needs more pages than the file has"));
            maxBucket = file.limit() - 2;
        }
        for (long b = 0; b <= maxBucket; b++) {
            int log = b == 0 ? 0 : 64 - Long.numberOfLeadingZeros(b); // ceil(log2(b + 1))
            walkBucket(b, b + meta.spares[log]);
        }
    }

    private void walkBucket(long bucket, long first) {
        long cur = first;
        String from = "page 0 (bucket " + bucket + ")";
        if (first == 0) {
            // spares[0] == 0 puts bucket 0 on the meta page: damage, not an empty bucket to pass over.
            sink.skip(sink.damage(from, "refers to page 0, the meta page"));
            return;
        }
        while (cur != 0) {
            Page p;
            try {
                p = file.visit(cur, from);
                if (cur == first && p.neverWritten()) {
                    return; // preallocated bucket that never held a record
                }
                file.checkHeader(p, Page.P_HASH, Page.P_HASH_UNSORTED);
            } catch (DamagedStoreException e) {
                sink.skip(e);
                return; // the rest of this chain is unreachable
            }
            pairs(p, "page " + p.number());
            from = "page " + cur;
            cur = p.next();
        }
    }

    /** Item {@code i}: from its index offset to the previous item's offset (or the page end). */
    @Override
    byte[] item(Page p, int i, String where) {
        int hoff = p.hfOffset();
        int ov = file.overhead();
        int start = p.u16(ov + 2 * i);
        int end = i == 0 ? p.size() : p.u16(ov + 2 * (i - 1));
        if (start < hoff || end > p.size() || start >= end) {
            throw sink.damage(where, "item " + i + " at offset " + start + " lies outside the page's item space");
        }
        int type = p.u8(start);
        switch (type) {
            case H_KEYDATA:
                return Arrays.copyOfRange(p.array(), start + 1, end);
            case H_OFFPAGE:
                if (end - start != HOFFPAGE_SIZE) {
                    throw sink.damage(where, "item " + i + " is an off-page reference of " + (end - start)
                            + " bytes instead of 12");
                }
                return Overflow.read(file, p.u32(start + 4), p.u32(start + 8), where + " item " + i, sink);
            case H_DUPLICATE, H_OFFDUP:
                throw sink.damage(where, "item " + i + " holds duplicate data, which Cyrus SASL never writes");
            default:
                throw sink.damage(where, "item " + i + " has unknown type " + type);
        }
    }
}
