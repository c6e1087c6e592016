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
 * <p>Every record of a readable source is copied with its key and value bytes unchanged,
 * including ids no login can reach (an empty user name, white space at the edges), which are
 * reported ({@link ConversionReport#unreachable()}) and left out only on request. Cyrus's
 * converters drop empty user names silently; here nothing is dropped silently: every skipped
 * record is reported with its reason, damage stops the conversion (unless salvaging), the whole
 * copy is one transaction, a failed conversion into a new file leaves no file behind, and the
 * target is read back before success is reported (a new store: count and digest of all keys and
 * values, then record by record on any difference; a merge: record by record). A merge works
 * user by user ({@link Merge}).
 *
 * <p>Security: every record read from the source is wiped once written or counted, on every
 * path (copy, dry run, merge, the record-by-record re-read).
 *
 * <p>The source may be a Berkeley DB hash or btree file, a {@code db_dump} or {@code gdbm_dump}
 * text, or an LMDB or SQLite store (our own, or Cyrus's LMDB sasldb). Its kind is recognised from
 * its content.
 *
 * <p>Either side may also be a store on a PostgreSQL server, named by its address
 * ({@link StoreAddress}): such a name is never made a path and no file rule applies to it (no
 * mode or owner to take, no file to remove). A server target "exists" when it holds records; a
 * failed copy into it is rolled back by the server (the schema, created empty, stays).
 * Messages name a server by {@link StoreAddress#redacted}.
 */
public final class Conversion {

    /** Which side's records a merge keeps for a user whose records differ between the two files. */
    public enum Prefer {
        SOURCE, TARGET
    }

    /**
     * How to convert.
     *
     * @param merge add to an existing target instead of refusing it
     * @param dryRun read and report only; the target is not created or changed
     * @param salvage read past damage in the source, reporting what was skipped
     * @param backend the kind of store to create for a new target
     * @param prefer for a merge: the side that wins for users whose records differ; null to
     *     refuse such a merge
     * @param dropUnreachable leave out ids no login can reach (reported as dropped)
     */
    public record Options(boolean merge, boolean dryRun, boolean salvage, Backend backend, Prefer prefer,
            boolean dropUnreachable) {
        public Options {
            if (backend == null) {
                throw new IllegalArgumentException("backend is required");
            }
        }

        /** No preferred side, unreachable ids copied. */
        public Options(boolean merge, boolean dryRun, boolean salvage, Backend backend) {
            this(merge, dryRun, salvage, backend, null, false);
        }
    }

    /** Told how many source records have been read so far; called from the converting thread. */
    @FunctionalInterface
    public interface Progress {
        void recordsRead(long count);

        Progress NONE = count -> {};
    }

    /**
     * The target has records and no merge was asked for; nothing was written. A command may
     * say how to merge.
     */
    public static final class TargetExistsException extends StoreException {
        private static final long serialVersionUID = 1L;

        TargetExistsException(String target) {
            super(StoreAddress.isServer(target)
                    ? "target " + StoreAddress.redacted(target) + " already holds records; choose an empty database"
                    : "target " + target + " already exists; choose a new file name");
        }
    }

    /**
     * The source is damaged and salvaging was not asked for; nothing was written. A command may
     * say how to salvage.
     */
    public static final class SourceDamagedException extends DamagedStoreException {
        private static final long serialVersionUID = 1L;

        SourceDamagedException(String message, DamagedStoreException cause) {
            super(message, cause);
        }
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
     *     differs; a new target is removed again
     * @throws MergeConflictException if a merge finds users whose records differ and
     *     {@link Options#prefer} is null; nothing was written
     */
    public static ConversionReport run(Path source, Path target, Options options, Progress progress) {
        return run(source.toString(), target.toString(), options, progress, Sources.FILES);
    }

    /**
     * {@link #run(Path, Path, Options, Progress)} for stores named as the user wrote them: file
     * paths or server addresses ({@link StoreAddress}), in any combination.
     */
    public static ConversionReport run(String source, String target, Options options, Progress progress) {
        return run(source, target, options, progress, Sources.FILES);
    }

    /**
     * Where a conversion reads records: the source (every pass over it) and the target when it is
     * read back. Tests wrap it to see every record handed out, and that each is wiped.
     */
    interface Sources {
        /** The source named {@code source}: a file path or a server address. */
        RecordSource source(String source, boolean salvage);

        /** The target named {@code target}, read only. */
        RecordSource readBack(String target);

        Sources FILES = new Sources() {
            @Override
            public RecordSource source(String source, boolean salvage) {
                return openSource(source, salvage);
            }

            @Override
            public RecordSource readBack(String target) {
                return CredentialStore.open(target, StoreOptions.readOnly());
            }
        };
    }

    static ConversionReport run(Path source, Path target, Options options, Progress progress, Sources sources) {
        return run(source.toString(), target.toString(), options, progress, sources);
    }

    static ConversionReport run(String source, String target, Options options, Progress progress, Sources sources) {
        StoreFormat sourceFormat = readableSource(source, sources);
        refuseSameStore(source, target);
        boolean serverTarget = StoreAddress.isServer(target);
        boolean targetExists;
        boolean fresh;
        if (serverTarget) {
            // A database has no file to find: it "exists" when it holds records.
            targetExists = hasRecords(target);
            fresh = !targetExists;
        } else {
            Path t = Path.of(target);
            targetExists = Files.exists(t, LinkOption.NOFOLLOW_LINKS);
            fresh = !targetExists || sizeOf(t) == 0; // no records yet: nothing to merge with
            if (targetExists && !options.merge() && sizeOf(t) > 0) {
                throw new TargetExistsException(target);
            }
        }
        if (serverTarget && targetExists && !options.merge()) {
            throw new TargetExistsException(target);
        }
        ConversionReport.Builder report = new ConversionReport.Builder();
        if (!options.dryRun() && !serverTarget) {
            // Overlaps loading the backend's native code (LMDB's binding: ~0.1 s) with reading the source.
            StoreBackends.of(options.backend()).ifPresent(b -> {
                Thread preload = new Thread(b::loadNativeCode, "backend-preload");
                preload.setDaemon(true);
                preload.start();
            });
        }
        report.sourceFormat(sourceFormat);
        if (options.dryRun()) {
            List<Entry> records = sortedUnique(read(sources, source, options, report, progress), report);
            try {
                if (fresh) {
                    records.forEach(report::count);
                } else {
                    planMerge(target, records, options, report);
                }
            } finally {
                records.forEach(Entry::wipe);
            }
            return report.build(false);
        }
        if (fresh) {
            copyIntoEmpty(sources, source, target, targetExists, options, report, progress);
        } else {
            List<Entry> records = sortedUnique(read(sources, source, options, report, progress), report);
            try {
                mergeInto(sources, target, records, options, report);
            } finally {
                records.forEach(Entry::wipe);
            }
        }
        return report.build(true);
    }

    /**
     * The source's format, or a one-line error naming the source when it cannot be converted,
     * before anything is created: a missing source must not be blamed on the target.
     */
    private static StoreFormat readableSource(String name, Sources sources) {
        if (StoreAddress.isServer(name)) {
            // Opened once now, so that an unreachable or empty server is blamed on the source.
            try (RecordSource s = sources.source(name, false)) {
                return s.format();
            } catch (StoreNotFoundException e) {
                throw new StoreNotFoundException("source " + StoreAddress.redacted(name) + " holds no sasldb4j"
                        + " store (" + e.getMessage() + "); check the address");
            }
        }
        Path source = Path.of(name);
        StoreFormat f = StoreFormat.detect(source);
        if (f == StoreFormat.MISSING) {
            throw new StoreNotFoundException("source " + source + " does not exist; give the path of the sasldb2"
                    + " to convert (Debian: /etc/sasldb2)");
        }
        if (f == StoreFormat.DIRECTORY) {
            throw new StoreException("source " + source + " is a directory; give the path of the sasldb2 file in it");
        }
        return f;
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
    private static void copyIntoEmpty(Sources sources, String source, String targetName, boolean targetExisted,
            Options options, ConversionReport.Builder report, Progress progress) {
        if (StoreAddress.isServer(targetName)) {
            // One server transaction: a failure leaves the database as it was. No file to create,
            // no mode or owner to take, no side files.
            copyAndVerify(sources, source, targetName, options, report, progress);
            return;
        }
        Path target = Path.of(targetName);
        // The backend's side files (LMDB's -lock) that this run may create, to remove on failure.
        List<Path> newSideFiles = sideFiles(target, options.backend()).stream().filter(f -> !Files.exists(f)).toList();
        boolean created = false;
        try {
            if (!targetExisted) {
                Files.createFile(target, PermissionPolicy.newFileAttribute());
                created = true;
            }
            copyAndVerify(sources, source, targetName, options, report, progress);
            if (created && !StoreAddress.isServer(source)) {
                // Only now: the opener narrows a zero-byte file to the safe mode before writing it.
                // (A server source has no file mode: the new file keeps the safe one it was made with.)
                takeModeAndOwner(Path.of(source), target, sideFiles(target, options.backend()), report);
            }
        } catch (IOException e) {
            removeFailedTarget(target, created, targetExisted, newSideFiles);
            throw new StoreException("cannot create " + target + ": " + StoreFormat.describe(e), e);
        } catch (UnsafePermissionsException e) {
            // Refused before anything was written (a planted link, an unsafe directory): a file
            // there that this run did not create is left alone, and never truncated through a link.
            removeFailedTarget(target, created, false, newSideFiles);
            throw e;
        } catch (RuntimeException e) {
            removeFailedTarget(target, created, targetExisted, newSideFiles);
            throw e;
        }
    }

    /** The side files the target's backend keeps beside it (through the API: no backend is named here). */
    private static List<Path> sideFiles(Path target, Backend backend) {
        return StoreBackends.of(backend).map(b -> b.files(target)).orElse(List.of(target)).stream()
                .filter(f -> !f.equals(target)).toList();
    }

    private static void copyAndVerify(Sources sources, String source, String target, Options options,
            ConversionReport.Builder report,
            Progress progress) {
        long[] expected = new long[2]; // count, digest
        ConversionReport.Builder attempt = new ConversionReport.Builder();
        try (CredentialStore store = CredentialStore.open(target,
                StoreOptions.create().withBackend(options.backend()))) {
            report.targetFormat(store.format());
            store.update(w -> {
                // The work may run again (the map grows): start every attempt afresh.
                expected[0] = 0;
                expected[1] = 0;
                attempt.clearNotes();
                read(sources, source, options, attempt, progress, e -> {
                    w.put(e);
                    expected[0]++;
                    expected[1] += e.digest();
                    e.wipe();
                });
            });
        }
        report.addNotes(attempt);
        long[] actual = new long[2];
        try (RecordSource store = sources.readBack(target)) {
            store.forEach(e -> {
                actual[0]++;
                actual[1] += e.digest();
                report.count(e);
                e.wipe();
            });
        }
        if (actual[0] != expected[0] || actual[1] != expected[1]) {
            report.resetCounts();
            List<Entry> unique = sortedUnique(read(sources, source, options, new ConversionReport.Builder(), Progress.NONE),
                    report);
            try {
                unique.forEach(report::count);
                verify(sources, target, unique);
            } finally {
                unique.forEach(Entry::wipe);
            }
        }
    }

    /**
     * Undoes the creation of a target after a failed copy: nothing is left of it. A file this run
     * did not create is never removed (an empty one prepared beforehand is emptied again).
     */
    private static void removeFailedTarget(Path target, boolean created, boolean targetExisted,
            List<Path> newSideFiles) {
        if (!created && !targetExisted) {
            return; // creating it failed: whatever is there now is not ours
        }
        try {
            if (targetExisted) {
                // It was an empty file (perhaps prepared with the right owner): empty it again.
                try (var ch = Files.newByteChannel(target, java.nio.file.StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    ch.truncate(0);
                }
            } else {
                Files.deleteIfExists(target);
            }
            for (Path side : newSideFiles) {
                Files.deleteIfExists(side);
            }
        } catch (IOException e) {
            // The original failure is what the user needs to see; this one is secondary.
        }
    }

    /** Merges records (in key order, one per key) into a store that has some, user by user ({@link Merge}). */
    private static void mergeInto(Sources sources, String target, List<Entry> records, Options options, ConversionReport.Builder report) {
        Merge merge = new Merge(options.prefer(), false);
        try (CredentialStore store = CredentialStore.open(target, StoreOptions.create().withBackend(options.backend()))) {
            report.targetFormat(store.format());
            store.update(w -> merge.run(records, w::user, w));
        }
        report.merged();
        merge.changes().forEach(report::change);
        merge.expected().forEach(report::count);
        verify(sources, target, merge.expected());
    }

    /** What a merge would do, from the target as it is now; writes nothing. */
    private static void planMerge(String target, List<Entry> records, Options options, ConversionReport.Builder report) {
        Merge merge = new Merge(options.prefer(), true);
        try (CredentialStore store = CredentialStore.open(target, StoreOptions.readOnly())) {
            merge.run(records, store::user, null);
        }
        report.merged();
        merge.changes().forEach(report::change);
        merge.expected().forEach(report::count);
    }

    /** Every record of the source to copy, in source order; notes (skips, unreachable ids) go to {@code notes}. */
    private static List<Entry> read(Sources sources, String source, Options options, ConversionReport.Builder notes, Progress progress) {
        List<Entry> out = new ArrayList<>();
        try {
            read(sources, source, options, notes, progress, out::add);
        } catch (RuntimeException e) {
            out.forEach(Entry::wipe);
            throw e;
        }
        return out;
    }

    /**
     * Hands every record to {@code action}, in source order. Ids no login can reach are noted
     * (and, with {@link Options#dropUnreachable}, left out and wiped); damage skipped when
     * salvaging is noted too.
     *
     * @throws DamagedStoreException at the first damage, unless salvaging
     */
    private static void read(Sources sources, String source, Options options, ConversionReport.Builder notes, Progress progress,
            Consumer<Entry> action) {
        boolean salvage = options.salvage();
        try (RecordSource src = sources.source(source, salvage)) {
            long[] n = {0};
            src.forEach(e -> {
                n[0]++;
                if (n[0] % PROGRESS_EVERY == 0) {
                    progress.recordsRead(n[0]);
                }
                byte[] authid = e.authidBytes();
                byte[] realm = e.realmBytes();
                String why = Reachability.whyUnreachable(authid, realm);
                if (why != null) {
                    String user = Reachability.quoted(authid, realm);
                    if (options.dropUnreachable()) {
                        notes.drop(e + ": " + why + "; left out (--drop-unreachable)");
                        e.wipe();
                        return;
                    }
                    notes.unreachable(user + ": " + why + "; no login can reach it. Copied as it is"
                            + " (--drop-unreachable leaves such ids out)");
                }
                action.accept(e);
            }, damage -> {
                if (!salvage) {
                    throw damage;
                }
                notes.skip(damage.getMessage());
            });
            progress.recordsRead(n[0]);
        } catch (DamagedStoreException e) {
            if (salvage) {
                throw e;
            }
            throw new SourceDamagedException(e.getMessage() + ". Nothing was written", e);
        }
    }

    /** Our stores and Cyrus's LMDB sasldb open as stores; everything else through the readers. */
    static RecordSource openSource(String name, boolean salvage) {
        if (StoreAddress.isServer(name)) {
            return CredentialStore.open(name, StoreOptions.readOnly());
        }
        Path source = Path.of(name);
        StoreFormat format = StoreFormat.detect(source);
        if (format.isStore()) {
            return CredentialStore.open(source, StoreOptions.readOnly());
        }
        return ForeignFiles.open(source, salvage);
    }

    /**
     * Reads the target back in key order and checks, in one merge pass against the copied records
     * (in key order, one per key), that every one is there with the same bytes. A merge target
     * may hold other records too.
     */
    private static void verify(Sources sources, String target, List<Entry> copied) {
        int[] next = {0};
        try (RecordSource store = sources.readBack(target)) {
            store.forEach(actual -> {
                try {
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
                } finally {
                    actual.wipe();
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
                sorted.get(i).wipe();
                continue;
            }
            out.add(sorted.get(i));
        }
        return out;
    }

    private static StoreException missing(Entry want, String target) {
        return new StoreException("verification failed: " + want + " is missing or different in "
                + StoreAddress.redacted(target)
                + " after the copy; do not use the target, and report this as a bug");
    }

    /**
     * Gives a new target the source's mode (never accessible to others), owner and group; its
     * side files (LMDB's lock file) follow its mode and group.
     */
    private static void takeModeAndOwner(Path source, Path target, List<Path> sideFiles,
            ConversionReport.Builder report) {
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
            for (Path side : sideFiles) {
                PermissionPolicy.alignSideFile(target, side);
            }
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

    private static void refuseSameStore(String sourceName, String targetName) {
        boolean serverSource = StoreAddress.isServer(sourceName);
        boolean serverTarget = StoreAddress.isServer(targetName);
        if (serverSource || serverTarget) {
            // Two spellings of one database are not caught here; the target then holds records,
            // so the copy is refused as an existing target (or merges nothing new).
            if (serverSource && serverTarget
                    && StoreAddress.redacted(sourceName).strip().equals(StoreAddress.redacted(targetName).strip())) {
                throw new StoreException("source and target are the same store (" + StoreAddress.redacted(targetName)
                        + "); convert into another database or a file");
            }
            return;
        }
        Path source = Path.of(sourceName);
        Path target = Path.of(targetName);
        try {
            if (Files.exists(target) && Files.isSameFile(source, target)) {
                throw new StoreException("source and target are the same file (" + target
                        + "); convert into a new file");
            }
        } catch (IOException e) {
            // One of them is unreadable: the open below reports it.
        }
    }

    /**
     * Whether the server store {@code name} holds any record: a missing schema counts as empty.
     * Stops at the first record.
     */
    private static boolean hasRecords(String name) {
        try (CredentialStore store = CredentialStore.open(name, StoreOptions.readOnly())) {
            store.forEach(e -> {
                e.wipe();
                throw new FoundOne();
            });
            return false;
        } catch (FoundOne e) {
            return true;
        } catch (StoreNotFoundException e) {
            return false;
        }
    }

    /** Ends {@link #hasRecords}'s pass at the first record. */
    private static final class FoundOne extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FoundOne() {
            super(null, null, false, false);
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
