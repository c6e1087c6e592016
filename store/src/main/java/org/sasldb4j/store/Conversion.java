package org.sasldb4j.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.sasldb4j.store.bdb.ForeignFiles;

/**
 * Copies every record of a sasldb file into a store: the migration off Berkeley DB.
 *
 * <p>The rule is Fedora's {@code cyrusbdb2current}: every record with a non-empty authid is
 * copied with its key and value bytes unchanged. Unlike Cyrus's converters, nothing is dropped
 * silently: every skipped record is reported with its reason, damage stops the conversion
 * (unless salvaging), the whole copy is one transaction, and the target is read back before
 * success is reported (a new store: count and digest of all keys and values, then record by
 * record on any difference; a merge: record by record).
 *
 * <p>The source may be a Berkeley DB hash or btree file, a {@code db_dump} or {@code gdbm_dump}
 * text, or an LMDB or SQLite store (our own, or Cyrus's LMDB sasldb). Its kind is recognised from
 * its content.
 */
public final class Conversion {

    /**
     * How to convert.
     *
     * @param merge add to an existing target instead of refusing it
     * @param dryRun read and report only; the target is not created or changed
     * @param salvage read past damage in the source, reporting what was skipped
     * @param backend the kind of store to create for a new target
     */
    public record Options(boolean merge, boolean dryRun, boolean salvage, Backend backend) {
        public Options {
            if (backend == null) {
                throw new IllegalArgumentException("backend is required");
            }
        }
    }

    /** Told how many source records have been read so far; called from the converting thread. */
    @FunctionalInterface
    public interface Progress {
        void recordsRead(long count);

        Progress NONE = count -> {};
    }

    private static final long PROGRESS_EVERY = 10_000;
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private Conversion() {}

    /**
     * Converts {@code source} into {@code target}.
     *
     * @return what was read, copied and skipped; {@link ConversionReport#verified()} is true when
     *     the target was read back and matched
     * @throws StoreException (or a subclass) with a message for the user if the source cannot be
     *     read, is damaged (without salvage), the target exists (without merge), or the read-back
     *     differs
     */
    public static ConversionReport run(Path source, Path target, Options options, Progress progress) {
        refuseSameFile(source, target);
        boolean targetExists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        boolean fresh = !targetExists || sizeOf(target) == 0; // no records yet: nothing to merge with
        if (targetExists && !options.merge() && sizeOf(target) > 0) {
            throw new StoreException("target " + target + " already exists; choose a new file name,"
                    + " or pass --merge to add the records to it");
        }
        ConversionReport.Builder report = new ConversionReport.Builder();
        if (!options.dryRun() && options.backend() == Backend.LMDB) {
            // Overlaps loading LMDB's native binding (~0.1 s) with reading the source.
            Thread preload = new Thread(org.sasldb4j.store.lmdb.LmdbBackend::preload, "lmdb-preload");
            preload.setDaemon(true);
            preload.start();
        }
        report.sourceFormat(StoreFormat.detect(source));
        if (options.dryRun()) {
            sortedUnique(read(source, options.salvage(), report::skip, progress), report).forEach(report::count);
            return report.build(false);
        }
        if (fresh) {
            copyIntoEmpty(source, target, targetExists, options, report, progress);
        } else {
            List<Entry> records = read(source, options.salvage(), report::skip, progress);
            mergeInto(target, sortedUnique(records, report), options.backend(), report);
        }
        return report.build(true);
    }

    /**
     * Copies into a store with no records: the source is read straight into one write
     * transaction, in source order (no list of every record, no sort). Damage in the source
     * aborts the transaction, and the target is removed (or emptied again, if it was an empty
     * file before), so nothing is left behind. Then the target is read back once: its record
     * count and an order-independent digest of every key and value must equal the source's;
     * counts for the report come from that pass, in key order. Any difference (a source holding
     * a key twice, or a real fault) is examined record by record, in order, from a second read of
     * the source.
     */
    private static void copyIntoEmpty(Path source, Path target, boolean targetExisted, Options options,
            ConversionReport.Builder report, Progress progress) {
        boolean lockExisted = Files.exists(Path.of(target + "-lock"));
        if (!targetExisted) {
            createNew(target);
        }
        long[] expected = new long[2]; // count, digest
        List<String> skips = new ArrayList<>();
        boolean[] opened = {false};
        try (CredentialStore store = CredentialStore.open(target,
                StoreOptions.create().withBackend(options.backend()))) {
            opened[0] = true;
            report.targetFormat(store.format());
            store.update(w -> {
                // The work may run again (the map grows): start every attempt afresh.
                expected[0] = 0;
                expected[1] = 0;
                skips.clear();
                read(source, options.salvage(), skips::add, progress, e -> {
                    w.put(e);
                    expected[0]++;
                    expected[1] += e.digest();
                    e.wipe();
                });
            });
        } catch (RuntimeException e) {
            // A target refused by the opener (a planted link, an unsafe directory) was not
            // written: nothing to undo in it.
            if (opened[0] || !targetExisted) {
                removeFailedTarget(target, targetExisted, lockExisted);
            }
            throw e;
        }
        if (!targetExisted) {
            // Only now: the opener narrows a zero-byte file to the safe mode before writing it.
            likeSource(source, target, report);
        }
        skips.forEach(report::skip);
        long[] actual = new long[2];
        try (CredentialStore store = CredentialStore.open(target, StoreOptions.readOnly())) {
            store.forEach(e -> {
                actual[0]++;
                actual[1] += e.digest();
                report.count(e);
                e.wipe();
            });
        }
        if (actual[0] != expected[0] || actual[1] != expected[1]) {
            report.resetCounts();
            List<Entry> unique = sortedUnique(read(source, options.salvage(), reason -> { }, Progress.NONE), report);
            unique.forEach(report::count);
            verify(target, unique);
        }
    }

    /** Undoes the creation of a target after a failed copy: nothing is left of it. */
    private static void removeFailedTarget(Path target, boolean targetExisted, boolean lockExisted) {
        try {
            if (targetExisted) {
                // It was an empty file (perhaps prepared with the right owner): empty it again.
                try (var ch = Files.newByteChannel(target, java.nio.file.StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    ch.truncate(0);
                }
            } else {
                Files.deleteIfExists(target);
            }
            if (!lockExisted) {
                Files.deleteIfExists(Path.of(target + "-lock"));
            }
        } catch (IOException e) {
            // The original failure is what the user needs to see; this one is secondary.
        }
    }

    /** Adds records (in key order, one per key) to a store that has some; keeps its values on conflict. */
    private static void mergeInto(Path target, List<Entry> records, Backend backend, ConversionReport.Builder report) {
        try (CredentialStore store = CredentialStore.open(target, StoreOptions.create().withBackend(backend))) {
            report.targetFormat(store.format());
            List<Entry> conflicts = new ArrayList<>();
            store.update(w -> {
                conflicts.clear();
                for (Entry e : records) {
                    if (conflictsWith(w, e)) {
                        conflicts.add(e);
                    } else {
                        w.put(e);
                    }
                }
            });
            conflicts.forEach(e -> report.skip(e + ": the target already holds a different value; kept the target's"));
            records.removeAll(conflicts);
            records.forEach(report::count);
        }
        verify(target, records);
    }

    /** Every record of the source worth copying, in source order; skips go to {@code skip}. */
    private static List<Entry> read(Path source, boolean salvage, Consumer<String> skip, Progress progress) {
        List<Entry> out = new ArrayList<>();
        read(source, salvage, skip, progress, out::add);
        return out;
    }

    /**
     * Hands every record with a non-empty authid to {@code action}, in source order; records
     * skipped (empty authid, and damage when salvaging) are described to {@code skip}.
     *
     * @throws DamagedStoreException at the first damage, unless salvaging
     */
    private static void read(Path source, boolean salvage, Consumer<String> skip, Progress progress,
            Consumer<Entry> action) {
        try (RecordSource src = openSource(source, salvage)) {
            long[] n = {0};
            src.forEach(e -> {
                n[0]++;
                if (n[0] % PROGRESS_EVERY == 0) {
                    progress.recordsRead(n[0]);
                }
                if (e.hasEmptyAuthid()) {
                    skip.accept(e + ": empty user id (no login can use it; Cyrus's converters drop it too)");
                    return;
                }
                action.accept(e);
            }, damage -> {
                if (!salvage) {
                    throw damage;
                }
                skip.accept(damage.getMessage());
            });
            progress.recordsRead(n[0]);
        } catch (DamagedStoreException e) {
            if (salvage) {
                throw e;
            }
            throw new DamagedStoreException(e.getMessage()
                    + ". Nothing was written. To copy every record that can still be read, run again with --salvage", e);
        }
    }

    /** Our stores and Cyrus's LMDB sasldb open as stores; everything else through the readers. */
    static RecordSource openSource(Path source, boolean salvage) {
        StoreFormat format = StoreFormat.detect(source);
        if (format.isStore()) {
            return CredentialStore.open(source, StoreOptions.readOnly());
        }
        return ForeignFiles.open(source, salvage);
    }

    private static boolean conflictsWith(StoreWriter w, Entry e) {
        for (Entry existing : w.user(e.user())) {
            if (java.util.Arrays.equals(existing.propertyBytes(), e.propertyBytes())) {
                return !existing.sameAs(e);
            }
        }
        return false;
    }

    /**
     * Reads the target back in key order and checks, in one merge pass against the copied records
     * (in key order, one per key), that every one is there with the same bytes. A merge target
     * may hold other records too.
     */
    private static void verify(Path target, List<Entry> copied) {
        int[] next = {0};
        try (CredentialStore store = CredentialStore.open(target, StoreOptions.readOnly())) {
            store.forEach(actual -> {
                if (next[0] == copied.size()) {
                    return;
                }
                Entry want = copied.get(next[0]);
                int c = Entry.compareKeys(want, actual);
                if (c < 0 || (c == 0 && !want.sameAs(actual))) {
                    throw missing(want, target);
                }
                if (c == 0) {
                    next[0]++;
                }
            });
        }
        if (next[0] < copied.size()) {
            throw missing(copied.get(next[0]), target);
        }
    }

    /**
     * Sorts into key order and keeps one record per key: the last one read, as writing them in
     * source order would. Each dropped duplicate is reported.
     */
    private static List<Entry> sortedUnique(List<Entry> records, ConversionReport.Builder report) {
        Entry[] array = records.toArray(new Entry[0]);
        // Stable, so equal keys keep source order (parallel where the machine has cores to spare).
        Arrays.parallelSort(array, Entry::compareKeys);
        List<Entry> sorted = Arrays.asList(array);
        List<Entry> out = new ArrayList<>(sorted.size());
        for (int i = 0; i < sorted.size(); i++) {
            if (i + 1 < sorted.size() && Entry.compareKeys(sorted.get(i), sorted.get(i + 1)) == 0) {
                report.skip(sorted.get(i) + ": the source holds this key more than once; copied the last value");
                continue;
            }
            out.add(sorted.get(i));
        }
        return out;
    }

    private static StoreException missing(Entry want, Path target) {
        return new StoreException("verification failed: " + want + " is missing or different in " + target
                + " after the copy; do not use the target, and report this as a bug");
    }

    private static void createNew(Path target) {
        try {
            Files.createFile(target, PermissionPolicy.newFileAttribute());
        } catch (IOException e) {
            throw new StoreException("cannot create " + target + ": " + StoreFormat.describe(e), e);
        }
    }

    /**
     * Gives the new target the source's mode (never accessible to others), owner and group; the
     * lock file follows its mode and group.
     */
    private static void likeSource(Path source, Path target, ConversionReport.Builder report) {
        try {
            PosixFileAttributes src = Files.readAttributes(source, PosixFileAttributes.class);
            Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
            mode.addAll(src.permissions());
            mode.removeAll(OTHERS);
            mode.add(PosixFilePermission.OWNER_READ);
            mode.add(PosixFilePermission.OWNER_WRITE);
            PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            view.setPermissions(mode);
            PermissionPolicy.alignSideFile(target, Path.of(target + "-lock"));
            try {
                if (!view.readAttributes().group().equals(src.group())) {
                    view.setGroup(src.group());
                }
                if (!view.getOwner().equals(src.owner())) {
                    view.setOwner(src.owner());
                }
            } catch (IOException e) {
                report.warn("could not give " + target + " the owner and group of " + source
                        + " (" + StoreFormat.describe(e) + "); run as root, or chown it yourself");
            }
        } catch (IOException e) {
            throw new StoreException("cannot set the mode of " + target + ": " + StoreFormat.describe(e), e);
        }
    }

    private static void refuseSameFile(Path source, Path target) {
        try {
            if (Files.exists(target) && Files.isSameFile(source, target)) {
                throw new StoreException("source and target are the same file (" + target
                        + "); convert into a new file");
            }
        } catch (IOException e) {
            // One of them is unreadable: the open below reports it.
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
