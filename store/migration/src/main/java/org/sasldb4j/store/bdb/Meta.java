package org.sasldb4j.store.bdb;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The meta page (page 0) of a Berkeley DB hash or btree file (docs/reference/cyrus-sasldb.md §5.2, §5.7). Everything the
 * readers need lies in its first 512 bytes, the smallest page size.
 */
final class Meta {
    static final int HASH_MAGIC = 0x00061561;
    static final int BTREE_MAGIC = 0x00053162;
    static final int HEAD = 512;
    private static final int P_HASHMETA = 8;
    private static final int P_BTREEMETA = 9;
    /** metaflags bit: pages carry a checksum, which moves the index 6 bytes further. */
    private static final int DBMETA_CHKSUM = 0x01;

    final boolean hash;
    final ByteOrder order;
    final int pageSize;
    /** Bytes before a page's index array (or overflow data). */
    final int overhead;
    final long lastPgno;
    /** Hash: highest bucket number. */
    final long maxBucket;
    /** Hash: bucket-to-page offsets. */
    final long[] spares;
    /** Btree: root page. */
    final long root;

    private Meta(boolean hash, ByteOrder order, int pageSize, int overhead, long lastPgno,
            long maxBucket, long[] spares, long root) {
        this.hash = hash;
        this.order = order;
        this.pageSize = pageSize;
        this.overhead = overhead;
        this.lastPgno = lastPgno;
        this.maxBucket = maxBucket;
        this.spares = spares;
        this.root = root;
    }

    /**
     * Parses and checks the meta page. Every problem here makes the file unreadable, so it is
     * thrown whatever the salvage setting.
     *
     * @param head the first {@link #HEAD} bytes of the file
     */
    static Meta parse(byte[] head, DamageSink sink) {
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(12);
        if (magic != HASH_MAGIC && magic != BTREE_MAGIC) {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(12);
        }
        if (magic != HASH_MAGIC && magic != BTREE_MAGIC) {
            throw sink.damage("page 0", "bad magic number 0x" + Integer.toHexString(b.getInt(12))
                    + " (neither Berkeley DB hash nor btree)");
        }
        boolean hash = magic == HASH_MAGIC;
        long version = b.getInt(16) & 0xffffffffL;
        // Versions 8 and 9 (Berkeley DB 4.x-5.x) and 10 (6.x) share the page layout read here.
        if (version < 8 || version > 10) {
            throw sink.damage("page 0", "unsupported " + (hash ? "hash" : "btree") + " version " + version);
        }
        long pageSize = b.getInt(20) & 0xffffffffL;
        if (pageSize < 512 || pageSize > 65536 || Long.bitCount(pageSize) != 1) {
            throw sink.damage("page 0", "page size " + pageSize + " is not a power of two from 512 to 65536");
        }
        if (head[24] != 0) {
            throw sink.damage("page 0", "the database is encrypted (algorithm " + (head[24] & 0xff) + ")");
        }
        int type = head[25] & 0xff;
        if (type != (hash ? P_HASHMETA : P_BTREEMETA)) {
            throw sink.damage("page 0", "meta page has type " + Page.typeName(type));
        }
        if (b.getInt(8) != 0) {
            throw sink.damage("page 0", "meta page says it is page " + (b.getInt(8) & 0xffffffffL));
        }
        int overhead = (head[26] & DBMETA_CHKSUM) != 0 ? 32 : 26;
        long lastPgno = b.getInt(32) & 0xffffffffL;
        if (hash) {
            long[] spares = new long[32];
            for (int i = 0; i < 32; i++) {
                spares[i] = b.getInt(96 + 4 * i) & 0xffffffffL;
            }
            return new Meta(true, b.order(), (int) pageSize, overhead, lastPgno,
                    b.getInt(72) & 0xffffffffL, spares, 0);
        }
        return new Meta(false, b.order(), (int) pageSize, overhead, lastPgno, 0, null, b.getInt(88) & 0xffffffffL);
    }
}
