package org.sasldb4j.store.bdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.RecordSource;

/**
 * Attack replays (docs/security.md): Berkeley DB files crafted, not just damaged, to make the
 * migration reader loop, allocate without bound or read outside the file: page chains that
 * loop or join another chain, overflow chains that loop or claim gigabytes, btree children that
 * point back up, and meta page counters ({@code nelem}, {@code max_bucket}, {@code last_pgno},
 * key counts) set to the maximum. Each file, built from a real db5.3_load fixture by changing
 * one or two fields, must be refused with a {@link DamagedStoreException} that names the page,
 * or read exactly as before when the field is one the reader does not trust; salvage mode must
 * end too, with output bounded by the file. {@link FuzzTest} covers random damage.
 */
@Tag("attack")
class HostileBerkeleyDbTest {
    /** A hang guard, not a measure: a read of these small fixtures takes milliseconds; a loop never ends. */
    private static final Duration BOUND = Duration.ofSeconds(10);
    /** hash-le-512: bucket 3's chain is page 33 then 39; item chains 6-10 and 34-38 are overflow. */
    private static final String HASH = "hash-le-512.sasldb2";
    /** btree-many-512: big-endian, three levels; page 1 is the root. */
    private static final String BTREE = "btree-many-512.sasldb2";

    @TempDir
    Path tmp;

    /** A fixture's bytes with helpers that write header fields in the file's byte order. */
    private static final class Crafted {
        final byte[] bytes;
        final ByteBuffer buf;
        final int pageSize;

        Crafted(String name) throws IOException {
            bytes = Files.readAllBytes(Fixtures.resource("generated", name));
            ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int magic = le.getInt(12);
            boolean little = magic == Meta.HASH_MAGIC || magic == Meta.BTREE_MAGIC;
            buf = ByteBuffer.wrap(bytes).order(little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            pageSize = buf.getInt(20);
        }

        int at(long page, int offset) {
            return (int) (page * pageSize + offset);
        }

        long u32(long page, int offset) {
            return buf.getInt(at(page, offset)) & 0xffffffffL;
        }

        Crafted u32(long page, int offset, long value) {
            buf.putInt(at(page, offset), (int) value);
            return this;
        }

        Crafted u16(long page, int offset, int value) {
            buf.putShort(at(page, offset), (short) value);
            return this;
        }

        /** The {@code next} field of a page's header. */
        Crafted next(long page, long value) {
            return u32(page, 16, value);
        }

        int type(long page) {
            return bytes[at(page, 25)] & 0xff;
        }

        /** Offset, within page {@code page}, of item {@code i} (from the index array at 26). */
        int item(long page, int i) {
            return buf.getShort(at(page, 26 + 2 * i)) & 0xffff;
        }

        /** The hash page and item offset of the off-page reference to overflow page {@code first}. */
        int[] offPageReference(long first) {
            for (int p = 1; p < bytes.length / pageSize; p++) {
                if (type(p) != Page.P_HASH) {
                    continue;
                }
                int n = buf.getShort(at(p, 20)) & 0xffff;
                for (int i = 0; i < n; i++) {
                    int off = item(p, i);
                    if (bytes[at(p, off)] == 3 && u32(p, off + 4) == first) {
                        return new int[] {p, off};
                    }
                }
            }
            throw new IllegalStateException("no reference to overflow page " + first);
        }

        Path write(Path dir, String name) throws IOException {
            Path f = dir.resolve(name);
            Files.write(f, bytes);
            return f;
        }
    }

    /** What a strict read gave: the damage, or null and the records. */
    private record Outcome(DamagedStoreException damage, List<String> records) {}

    private static Outcome strict(Path file) {
        return assertTimeoutPreemptively(BOUND, () -> {
            List<String> lines = new ArrayList<>();
            try (RecordSource source = ForeignFiles.open(file, false)) {
                source.forEach(e -> lines.add(Fixtures.line(e)));
                return new Outcome(null, lines);
            } catch (DamagedStoreException e) {
                return new Outcome(e, lines);
            }
        }, file.getFileName() + ": strict read did not end");
    }

    /** A salvage pass ends, with records and reports bounded by the file's size. */
    private static List<DamagedStoreException> salvage(Path file) {
        return assertTimeoutPreemptively(BOUND, () -> {
            List<DamagedStoreException> reports = new ArrayList<>();
            long[] records = {0};
            try (RecordSource source = ForeignFiles.open(file, true)) {
                source.forEach(e -> records[0]++, reports::add);
            } catch (DamagedStoreException e) {
                reports.add(e); // the meta page itself is unreadable
            } catch (RuntimeException | Error e) {
                fail(file.getFileName() + ": salvage threw " + e, e);
            }
            assertTrue(records[0] + reports.size() <= Files.size(file) / 16,
                    records[0] + " records and " + reports.size() + " reports from " + Files.size(file) + " bytes");
            return reports;
        }, file.getFileName() + ": salvage did not end");
    }

    /** Strict reading refuses the file with a message containing {@code words}; salvage ends. */
    private void refused(Crafted c, String name, String... words) throws IOException {
        Path f = c.write(tmp, name);
        Outcome o = strict(f);
        if (o.damage == null) {
            fail(name + ": read " + o.records.size() + " records without reporting damage");
        }
        String m = o.damage.getMessage();
        assertTrue(m.contains(f.toString()), m);
        for (String w : words) {
            assertTrue(m.contains(w), name + ": message lacks '" + w + "': " + m);
        }
        if (o.damage.getCause() != null) {
            fail(name + ": damage caused by " + o.damage.getCause(), o.damage);
        }
        List<DamagedStoreException> reports = salvage(f);
        assertTrue(!reports.isEmpty(), name + ": salvage reported nothing");
    }

    /** The crafted field is not trusted: the records are exactly the fixture's. */
    private void readAsBefore(Crafted c, String fixture, String name) throws IOException {
        Outcome o = strict(c.write(tmp, name));
        if (o.damage != null) {
            fail(name + ": " + o.damage.getMessage(), o.damage);
        }
        List<String> got = new ArrayList<>(o.records);
        got.sort(null);
        Fixtures.assertSameRecords(Fixtures.expected(Fixtures.expectedFor(Fixtures.resource("generated", fixture))), got);
    }

    @Test
    void controlTheFixturesAreWhatTheReplaysAssume() throws IOException {
        Crafted h = new Crafted(HASH);
        assertEquals(39, h.u32(33, 16), "bucket chain 33 -> 39");
        assertEquals(0, h.u32(39, 16));
        assertEquals(7, h.u32(6, 16), "overflow chain 6 -> 7");
        assertEquals(0, h.u32(10, 16), "overflow chain ends at 10");
        assertEquals(Page.P_OVERFLOW, h.type(6));
        Crafted b = new Crafted(BTREE);
        assertEquals(ByteOrder.BIG_ENDIAN, b.buf.order());
        assertEquals(1, b.u32(0, 88), "root");
        assertEquals(Page.P_IBTREE, b.type(1));
        assertEquals(Page.P_IBTREE, b.type(26));
        readAsBefore(h, HASH, "unchanged-hash");
        readAsBefore(b, BTREE, "unchanged-btree");
    }

    @Test
    void bucketChainLoopingOnItself() throws IOException {
        refused(new Crafted(HASH).next(39, 39), "bucket-self-loop", "page 39", "a second time");
        refused(new Crafted(HASH).next(39, 33), "bucket-loop", "page 33", "a second time");
    }

    @Test
    void bucketChainJoiningAnotherBucket() throws IOException {
        refused(new Crafted(HASH).next(39, 1), "bucket-join", "page 1", "a second time");
    }

    @Test
    void bucketChainIntoTheMetaPageOrBeyondTheFile() throws IOException {
        refused(new Crafted(HASH).next(39, 0xffffffffL), "bucket-beyond", "4294967295");
        // spares[0]: bucket 0 at page 0 + spares[0]; zero makes it the meta page
        refused(new Crafted(HASH).u32(0, 96, 0), "bucket-meta", "page 0", "meta page");
    }

    @Test
    void overflowChainLoopingOnItself() throws IOException {
        // The item claims as many bytes as the file could hold, so only the loop check can stop it.
        Crafted c = new Crafted(HASH).next(10, 6);
        int[] ref = c.offPageReference(6);
        long pages = c.bytes.length / c.pageSize;
        c.u32(ref[0], ref[1] + 8, pages * (c.pageSize - 26) - 1);
        refused(c, "overflow-loop", "page 6", "a second time");
        Crafted self = new Crafted(HASH).next(6, 6);
        refused(self, "overflow-self-loop", "page 6", "a second time");
    }

    @Test
    void overflowItemClaimingGigabytes() throws IOException {
        Crafted c = new Crafted(HASH);
        int[] ref = c.offPageReference(6);
        c.u32(ref[0], ref[1] + 8, 0xffffffffL);
        refused(c, "overflow-4g", "4294967295", "impossible");
        Crafted max = new Crafted(HASH);
        max.u32(ref[0], ref[1] + 8, Integer.MAX_VALUE);
        refused(max, "overflow-2g", "impossible");
    }

    @Test
    void overflowChainOfTwoItemsSharingPages() throws IOException {
        // Two references to the same chain: the second reads pages already read.
        Crafted c = new Crafted(HASH);
        int[] a = c.offPageReference(6);
        int[] b = c.offPageReference(34);
        c.u32(b[0], b[1] + 4, 6).u32(b[0], b[1] + 8, c.u32(a[0], a[1] + 8));
        refused(c, "overflow-shared", "page 6", "a second time");
    }

    @Test
    void hugeCountersInTheMetaPageAreNotTrusted() throws IOException {
        // nelem (hash), key_count and record_count (both): informational, never used to allocate
        readAsBefore(new Crafted(HASH).u32(0, 88, 0xffffffffL).u32(0, 40, 0xffffffffL).u32(0, 44, 0xffffffffL),
                HASH, "nelem-max");
        readAsBefore(new Crafted(BTREE).u32(0, 40, 0xffffffffL).u32(0, 44, 0xffffffffL), BTREE, "btree-counts-max");
    }

    @Test
    void hugeMaxBucketAndLastPageAreRefusedAtOnce() throws IOException {
        refused(new Crafted(HASH).u32(0, 72, 0xffffffffL), "max-bucket-max", "max_bucket");
        refused(new Crafted(HASH).u32(0, 32, 0xfffffffeL), "last-pgno-max");
        refused(new Crafted(BTREE).u32(0, 32, 0xfffffffeL), "btree-last-pgno-max");
    }

    @Test
    void pageClaimingMoreEntriesThanFit() throws IOException {
        refused(new Crafted(HASH).u16(33, 20, 0xffff), "entries-max", "page 33", "do not fit");
    }

    @Test
    void btreeChildPointingBackUp() throws IOException {
        Crafted toRoot = new Crafted(BTREE);
        toRoot.u32(26, toRoot.item(26, 0) + 4, 1);
        refused(toRoot, "btree-child-root", "page 1");
        Crafted toSelf = new Crafted(BTREE);
        toSelf.u32(1, toSelf.item(1, 0) + 4, 1);
        refused(toSelf, "btree-root-self", "page 1");
        Crafted twice = new Crafted(BTREE);
        long firstChild = twice.u32(26, twice.item(26, 0) + 4);
        twice.u32(26, twice.item(26, 1) + 4, firstChild);
        refused(twice, "btree-shared-child", "page " + firstChild, "a second time");
    }

    @Test
    void btreeLeafChainLoop() throws IOException {
        Crafted c = new Crafted(BTREE);
        long leaf = c.u32(26, c.item(26, 0) + 4);
        assertEquals(Page.P_LBTREE, c.type(leaf));
        refused(c.next(leaf, leaf), "btree-leaf-loop", "page " + leaf);
    }
}
