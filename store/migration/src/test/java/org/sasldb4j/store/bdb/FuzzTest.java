package org.sasldb4j.store.bdb;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.ForeignFormatException;
import org.sasldb4j.store.RecordSource;
import org.sasldb4j.store.StoreFormat;

/**
 * Mutates real files at random (seeded, so failures reproduce) and checks that reading them,
 * strictly and in salvage mode, ends within a time bound with records or a
 * {@link DamagedStoreException}, never another exception, a hang or an error.
 *
 * <p>A mutation that makes the file unrecognisable (its magic gone together with the page type,
 * or cut to a few bytes) may also give the documented {@link ForeignFormatException}.
 */
@org.junit.jupiter.api.Tag("attack") // hostile input: scripts/attack.sh replays it
class FuzzTest {
    /** A hang guard, not a measure: a read of a mutated small fixture takes milliseconds; a loop never ends. */
    private static final Duration BOUND = Duration.ofSeconds(5);

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({
        "corpus, small.sasldb2, 500",
        "corpus, small-be.sasldb2, 400",
        "corpus, small-p512.sasldb2, 500",
        "corpus, small-btree.sasldb2, 500",
        "corpus, medium.sasldb2, 300",
        "corpus, debian-empty.sasldb2, 200",
        "generated, hash-be-512.sasldb2, 300",
        "generated, btree-many-512.sasldb2, 300",
        "generated, btree-le-4096.sasldb2, 200",
        "generated, hash-nelem-512.sasldb2, 200",
        "generated, hash-chksum-4096.sasldb2, 100",
        "generated, dump-print.txt, 200",
        "generated, dump-bytevalue.txt, 150",
        "generated, gdbm-ascii.txt, 200",
    })
    void mutatedFilesGiveOnlyDamage(String dir, String name, int iterations) throws IOException {
        byte[] original = Files.readAllBytes(Fixtures.resource(dir, name));
        boolean binary = name.endsWith(".sasldb2");
        int pageSize = binary ? pageSize(original) : 0;
        Random random = new Random(name.hashCode() * 31L + iterations);
        Path file = tmp.resolve(name);
        AtomicLong damaged = new AtomicLong();
        for (int i = 0; i < iterations; i++) {
            long seed = random.nextLong();
            byte[] mutated = binary ? Mutator.page(original, pageSize, new Random(seed))
                    : Mutator.text(original, new Random(seed));
            Files.write(file, mutated);
            String context = name + " iteration " + i + " (seed " + seed + ")";
            for (boolean salvage : new boolean[] {false, true}) {
                if (assertTimeoutPreemptively(BOUND, () -> readOnce(file, salvage, mutated.length, context),
                        context)) {
                    damaged.incrementAndGet();
                }
            }
        }
        // The mutations must actually hurt: otherwise this test proves nothing.
        assertTrue(damaged.get() > iterations / 4, damaged + " damaged outcomes in " + 2 * iterations + " reads");
    }

    /**
     * Reads the whole file; fails on any outcome other than records or documented damage.
     * Returns true if damage was reported.
     */
    private static boolean readOnce(Path file, boolean salvage, long size, String context) {
        AtomicLong records = new AtomicLong();
        AtomicLong reports = new AtomicLong();
        try (RecordSource source = ForeignFiles.open(file, salvage)) {
            source.forEach(e -> records.incrementAndGet(), problem -> {
                check(problem, context);
                reports.incrementAndGet();
                if (!salvage) {
                    throw problem;
                }
            });
        } catch (ForeignFormatException e) {
            StoreFormat format = StoreFormat.detect(file);
            assertTrue(format != StoreFormat.BDB_HASH && format != StoreFormat.BDB_BTREE
                    && format != StoreFormat.DB_DUMP && format != StoreFormat.GDBM_DUMP, context + ": " + e);
            return true;
        } catch (DamagedStoreException e) {
            check(e, context);
            return true;
        } catch (RuntimeException | Error e) {
            fail(context + (salvage ? " (salvage)" : "") + ": " + e, e);
        }
        // Salvage output is bounded by the file: no endless stream of records or reports.
        assertTrue(records.get() + reports.get() <= size + 16, context + ": " + records + " records, " + reports
                + " reports from " + size + " bytes");
        return reports.get() > 0;
    }

    /** Damage must be reported as such, not as a wrapped programming error. */
    private static void check(DamagedStoreException e, String context) {
        if (e.getCause() != null && !(e.getCause() instanceof IOException)) {
            fail(context + ": damage caused by " + e.getCause(), e);
        }
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), context);
    }

    private static int pageSize(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int size = b.getInt(20);
        return size >= 512 && size <= 65536 ? size : Integer.reverseBytes(size);
    }

    /** The mutations. */
    static final class Mutator {
        private Mutator() {}

        /** Berkeley DB files: random damage, plus damage aimed at page headers and indexes. */
        static byte[] page(byte[] original, int pageSize, Random r) {
            byte[] b = original.clone();
            int pages = Math.max(1, b.length / pageSize);
            int rounds = 1 + r.nextInt(3);
            for (int k = 0; k < rounds; k++) {
                int page = r.nextInt(pages);
                int base = page * pageSize;
                switch (r.nextInt(8)) {
                    case 0 -> flipBits(b, r, 0, b.length);
                    case 1 -> overwrite(b, r, 0, b.length);
                    case 2 -> {
                        return truncate(b, r, pageSize);
                    }
                    // a header field of a page (pgno, prev, next, entries, hf_offset, level, type)
                    case 3 -> putField(b, r, base + 8 + 2 * r.nextInt(9), pages);
                    // an index entry
                    case 4 -> putField(b, r, base + 26 + 2 * r.nextInt(Math.max(1, (pageSize - 26) / 64)), pages);
                    // copy one page over another: shared pages, loops, wrong pgno fields
                    case 5 -> {
                        int from = r.nextInt(pages) * pageSize;
                        System.arraycopy(original, from, b, base, Math.min(pageSize, b.length - base));
                    }
                    // the meta page's fields (last_pgno, max_bucket, spares, root...)
                    case 6 -> putField(b, r, 28 + 4 * r.nextInt(40), pages);
                    default -> flipBits(b, r, base, Math.min(b.length, base + 64));
                }
            }
            return b;
        }

        /** Text dumps: byte damage, cut lines, lost or repeated lines. */
        static byte[] text(byte[] original, Random r) {
            byte[] b = original.clone();
            switch (r.nextInt(5)) {
                case 0 -> flipBits(b, r, 0, b.length);
                case 1 -> overwrite(b, r, 0, b.length);
                case 2 -> {
                    return Arrays.copyOf(b, r.nextInt(b.length + 1));
                }
                case 3 -> {
                    int at = r.nextInt(b.length);
                    b[at] = (byte) List.of('\n', ' ', '#', '\\', '=', 'z', '0').get(r.nextInt(7)).charValue();
                }
                default -> {
                    int from = r.nextInt(b.length);
                    int len = r.nextInt(Math.min(200, b.length - from) + 1);
                    int to = r.nextInt(b.length - len + 1);
                    System.arraycopy(original, from, b, to, len);
                }
            }
            return b;
        }

        private static void flipBits(byte[] b, Random r, int from, int to) {
            if (to <= from) {
                return;
            }
            for (int n = 1 + r.nextInt(8); n > 0; n--) {
                int at = from + r.nextInt(to - from);
                b[at] ^= (byte) (1 << r.nextInt(8));
            }
        }

        private static void overwrite(byte[] b, Random r, int from, int to) {
            if (to <= from) {
                return;
            }
            int at = from + r.nextInt(to - from);
            for (int n = 1 + r.nextInt(16); n > 0 && at < to; n--) {
                b[at++] = (byte) r.nextInt(256);
            }
        }

        private static byte[] truncate(byte[] b, Random r, int pageSize) {
            int len = r.nextBoolean() ? r.nextInt(b.length + 1) : pageSize * r.nextInt(b.length / pageSize + 1);
            return Arrays.copyOf(b, len);
        }

        /** Writes a 16- or 32-bit value chosen to hurt: 0, all ones, near the page count, random. */
        private static void putField(byte[] b, Random r, int at, int pages) {
            if (at < 0 || at + 4 > b.length) {
                return;
            }
            int value = switch (r.nextInt(6)) {
                case 0 -> 0;
                case 1 -> -1;
                case 2 -> r.nextInt(pages + 2);
                case 3 -> pages + r.nextInt(1000);
                case 4 -> 0xffff;
                default -> r.nextInt();
            };
            ByteOrder order = r.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
            if (r.nextBoolean()) {
                ByteBuffer.wrap(b).order(order).putShort(at, (short) value);
            } else {
                ByteBuffer.wrap(b).order(order).putInt(at, value);
            }
        }
    }
}
