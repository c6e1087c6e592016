package org.sasldb4j.store.bdb;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.function.Consumer;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.Entry;

/**
 * One pass over a Berkeley DB btree file in key order (docs/reference/cyrus-sasldb.md §5.7).
 *
 * <p>The tree is walked depth first from the root with an explicit stack (no recursion, so no
 * stack overflow), rather than along the leaf chain: a broken leaf link then loses one page in
 * salvage mode instead of everything after it. The leaf chain is still checked against the tree.
 */
final class BtreeWalk extends PageWalk {
    private static final int B_KEYDATA = 1;
    private static final int B_DUPLICATE = 2;
    private static final int B_OVERFLOW = 3;
    private static final int B_DELETE = 0x80;
    private static final int LEAFLEVEL = 1;
    /** BINTERNAL: len(2) type(1) unused(1) pgno(4) nrecs(4) data(len). */
    private static final int BINTERNAL_SIZE = 12;
    /** BKEYDATA: len(2) type(1) data(len). */
    private static final int BKEYDATA_SIZE = 3;
    /** BOVERFLOW: unused(2) type(1) unused(1) pgno(4) tlen(4). */
    private static final int BOVERFLOW_SIZE = 12;

    private long lastLeaf = -1;
    private long lastLeafNext = -1;

    BtreeWalk(PageFile file, DamageSink sink, Consumer<? super Entry> action) {
        super(file, sink, action);
    }

    /** A page still to visit: its number, the level it must have (0 = any), who referred to it. */
    private record Pending(long pgno, int level, String from) {}

    void run() {
        Deque<Pending> stack = new ArrayDeque<>();
        stack.push(new Pending(file.meta().root, 0, "page 0 (root)"));
        while (!stack.isEmpty()) {
            Pending todo = stack.pop();
            Page p;
            try {
                p = file.visit(todo.pgno(), todo.from());
                file.checkHeader(p, Page.P_LBTREE, Page.P_IBTREE);
                checkLevel(p, todo.level());
            } catch (DamagedStoreException e) {
                sink.skip(e);
                continue;
            }
            if (p.type() == Page.P_IBTREE) {
                children(p, stack);
            } else {
                leaf(p);
            }
        }
        if (lastLeafNext > 0) {
            sink.skip(sink.damage("page " + lastLeaf, "the last leaf links to page " + lastLeafNext));
        }
    }

    private void checkLevel(Page p, int expected) {
        int level = p.level();
        boolean leaf = p.type() == Page.P_LBTREE;
        // Levels strictly fall towards the leaves, which also rules out cycles through the tree.
        if ((expected != 0 && level != expected) || (leaf ? level != LEAFLEVEL : level <= LEAFLEVEL)) {
            throw sink.damage("page " + p.number(), "btree level " + level + " is wrong for a "
                    + Page.typeName(p.type()) + " page" + (expected != 0 ? " at level " + expected : ""));
        }
    }

    /** Pushes the children of an internal page so that the leftmost is visited first. */
    private void children(Page p, Deque<Pending> stack) {
        String where = "page " + p.number();
        int n = p.entries();
        if (!indexFits(p, n, where)) {
            return;
        }
        long[] kids = new long[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            int off = p.u16(file.overhead() + 2 * i);
            if (off < p.hfOffset() || off + BINTERNAL_SIZE > p.size()
                    || off + BINTERNAL_SIZE + p.u16(off) > p.size()) {
                sink.skip(sink.damage(where, "internal item " + i + " at offset " + off + " lies outside the page"));
                continue;
            }
            int type = p.u8(off + 2) & 0x7f;
            if (type != B_KEYDATA && type != B_OVERFLOW) {
                sink.skip(sink.damage(where, "internal item " + i + " has unknown type " + type));
                continue;
            }
            kids[count++] = p.u32(off + 4);
        }
        for (int i = count - 1; i >= 0; i--) {
            stack.push(new Pending(kids[i], p.level() - 1, where));
        }
    }

    private void leaf(Page p) {
        String where = "page " + p.number();
        if (lastLeafNext >= 0 && lastLeafNext != p.number()) {
            sink.skip(sink.damage("page " + lastLeaf, "leaf links to page " + lastLeafNext
                    + " but the next leaf in the tree is page " + p.number()));
        }
        lastLeaf = p.number();
        lastLeafNext = p.next();
        pairs(p, where);
    }

    /** Offset of item {@code i}, checked to leave room for the fixed part of any item. */
    private int offset(Page p, int i, String where) {
        int off = p.u16(file.overhead() + 2 * i);
        if (off < p.hfOffset() || off + BKEYDATA_SIZE > p.size()) {
            throw sink.damage(where, "item " + i + " at offset " + off + " lies outside the page's item space");
        }
        return off;
    }

    /** A pair a cursor deleted but did not yet remove. */
    @Override
    boolean deleted(Page p, int i, String where) {
        return (p.u8(offset(p, i, where) + 2) & B_DELETE) != 0;
    }

    @Override
    byte[] item(Page p, int i, String where) {
        int off = offset(p, i, where);
        int type = p.u8(off + 2) & 0x7f;
        switch (type) {
            case B_KEYDATA: {
                int len = p.u16(off);
                if (off + BKEYDATA_SIZE + len > p.size()) {
                    throw sink.damage(where, "item " + i + " of " + len + " bytes runs past the page end");
                }
                return Arrays.copyOfRange(p.array(), off + BKEYDATA_SIZE, off + BKEYDATA_SIZE + len);
            }
            case B_OVERFLOW:
                if (off + BOVERFLOW_SIZE > p.size()) {
                    throw sink.damage(where, "overflow reference " + i + " runs past the page end");
                }
                return Overflow.read(file, p.u32(off + 4), p.u32(off + 8), where + " item " + i, sink);
            case B_DUPLICATE:
                throw sink.damage(where, "item " + i + " refers to duplicates, which Cyrus SASL never writes");
            default:
                throw sink.damage(where, "item " + i + " has unknown type " + type);
        }
    }
}
