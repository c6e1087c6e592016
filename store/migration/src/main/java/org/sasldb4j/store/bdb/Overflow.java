package org.sasldb4j.store.bdb;

import java.util.Arrays;
import org.sasldb4j.store.DamagedStoreException;

/** Reads an item stored on a chain of overflow pages (docs/reference/cyrus-sasldb.md §5.5), checking the chain. */
final class Overflow {
    /** First allocation for a long item; grown as pages arrive, so a bogus length costs nothing. */
    private static final int INITIAL = 16 * 1024;

    private Overflow() {}

    /**
     * The {@code tlen} bytes stored from page {@code pgno} on.
     *
     * @param where the page holding the reference, for messages
     * @throws DamagedStoreException if the chain is broken, loops, or does not hold exactly
     *     {@code tlen} bytes
     */
    static byte[] read(PageFile file, long pgno, long tlen, String where, DamageSink sink) {
        int room = file.pageSize() - file.overhead();
        // Allocation is bounded by the file: an item cannot be longer than all its pages together.
        if (tlen == 0 || tlen > file.limit() * room || tlen > Integer.MAX_VALUE - 16) {
            throw sink.damage(where, "overflow item claims " + tlen + " bytes, impossible in this file");
        }
        byte[] out = new byte[(int) Math.min(tlen, INITIAL)];
        int have = 0;
        long cur = pgno;
        String from = where;
        try {
            while (true) {
                Page p = file.visit(cur, from);
                file.checkHeader(p, Page.P_OVERFLOW, Page.P_OVERFLOW);
                int len = p.hfOffset();
                if (len > room) {
                    throw sink.damage("page " + cur, "overflow page claims " + len + " data bytes, more than fit");
                }
                if (have + (long) len > tlen) {
                    throw sink.damage("page " + cur, "overflow chain holds more than the item's " + tlen + " bytes");
                }
                if (have + len > out.length) {
                    out = grow(out, (int) Math.min(tlen, Math.max(2L * out.length, have + (long) len)));
                }
                System.arraycopy(p.array(), file.overhead(), out, have, len);
                have += len;
                long next = p.next();
                if (have == tlen) {
                    if (next != 0) {
                        throw sink.damage("page " + cur, "overflow chain goes on after the item's " + tlen + " bytes");
                    }
                    return out;
                }
                if (next == 0) {
                    throw sink.damage("page " + cur, "overflow chain ends after " + have + " of " + tlen + " bytes");
                }
                from = "page " + cur;
                cur = next;
            }
        } catch (DamagedStoreException e) {
            Arrays.fill(out, (byte) 0);
            throw e;
        }
    }

    private static byte[] grow(byte[] old, int size) {
        byte[] bigger = Arrays.copyOf(old, size);
        Arrays.fill(old, (byte) 0);
        return bigger;
    }
}
