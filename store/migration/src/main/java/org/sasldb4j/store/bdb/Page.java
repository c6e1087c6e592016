package org.sasldb4j.store.bdb;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One Berkeley DB page read from the file, with the generic page header (docs/reference/cyrus-sasldb.md §5.4).
 *
 * <p>Offsets passed to the accessors must already be checked against {@link #size()}; the
 * readers do that before every access so that damage is reported, never thrown as an index error.
 */
final class Page {
    static final int P_IBTREE = 3;
    static final int P_LBTREE = 5;
    static final int P_OVERFLOW = 7;
    static final int P_HASH_UNSORTED = 2;
    static final int P_HASH = 13;

    private final long pgno;
    private final ByteBuffer buf;

    Page(long pgno, byte[] data, ByteOrder order) {
        this.pgno = pgno;
        this.buf = ByteBuffer.wrap(data).order(order);
    }

    /** The page's position in the file. */
    long number() {
        return pgno;
    }

    int size() {
        return buf.capacity();
    }

    byte[] array() {
        return buf.array();
    }

    int u8(int off) {
        return buf.get(off) & 0xff;
    }

    int u16(int off) {
        return buf.getShort(off) & 0xffff;
    }

    long u32(int off) {
        return buf.getInt(off) & 0xffffffffL;
    }

    /** The pgno field of the header: equals {@link #number()} on a sound page. */
    long pgnoField() {
        return u32(8);
    }

    long next() {
        return u32(16);
    }

    int entries() {
        return u16(20);
    }

    /** Start of item space (hash, btree) or data bytes on the page (overflow). */
    int hfOffset() {
        return u16(22);
    }

    int level() {
        return u8(24);
    }

    int type() {
        return u8(25);
    }

    /**
     * True if the header is all zero: a hash bucket page that Berkeley DB allocated (the file
     * was extended past it) but never wrote because the bucket never received a record.
     */
    boolean neverWritten() {
        byte[] a = buf.array();
        for (int i = 0; i < 26; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Human name of a page type, for messages. */
    static String typeName(int type) {
        return switch (type) {
            case 0 -> "invalid (0)";
            case P_HASH_UNSORTED, P_HASH -> "hash (" + type + ")";
            case P_IBTREE -> "btree internal (3)";
            case P_LBTREE -> "btree leaf (5)";
            case P_OVERFLOW -> "overflow (7)";
            case 8 -> "hash meta (8)";
            case 9 -> "btree meta (9)";
            default -> "type " + type;
        };
    }
}
