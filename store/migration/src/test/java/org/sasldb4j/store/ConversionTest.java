package org.sasldb4j.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConversionTest {
    @TempDir
    Path dir;

    private static final Conversion.Options LMDB = new Conversion.Options(false, false, false, Backend.LMDB);

    @ParameterizedTest
    @CsvSource({"small,lmdb", "small-be,lmdb", "small-p512,lmdb", "small-btree,lmdb", "medium,lmdb",
        "debian-empty,lmdb", "small,sqlite"})
    void everyReadableCorpusFileConvertsToExactlyItsRecords(String name, String backend) throws IOException {
        Path source = corpus(name + ".sasldb2");
        Path target = dir.resolve("new");
        ConversionReport r = Conversion.run(source, target,
                new Conversion.Options(false, false, false, Backend.parse(backend)), Conversion.Progress.NONE);
        List<String> expected = expected(name);
        assertEquals(expected, listing(target));
        assertEquals(expected.size(), r.records());
        assertTrue(r.verified());
        assertTrue(r.skipped().isEmpty(), r.skipped().toString());
    }

    @Test
    void reportsUsersRealmsAndProperties() throws IOException {
        ConversionReport r = Conversion.run(corpus("small.sasldb2"), dir.resolve("new"), LMDB, Conversion.Progress.NONE);
        assertEquals(9, r.records());
        assertEquals(9, r.users());
        assertEquals(5, r.realms()); // example.org, mail.example.net, "", sales@example.org, vm
        assertEquals(9L, r.properties().get("userPassword"));
        assertEquals(StoreFormat.BDB_HASH, r.sourceFormat());
        assertEquals(StoreFormat.LMDB, r.targetFormat());
    }

    @Test
    void aTruncatedFileStopsTheConversionNamingThePageAndSalvageRecoversTheRest() throws IOException {
        Path source = corpus("small-truncated.sasldb2");
        Path target = dir.resolve("new");
        DamagedStoreException e = assertThrows(Conversion.SourceDamagedException.class,
                () -> Conversion.run(source, target, LMDB, Conversion.Progress.NONE));
        assertTrue(e.getMessage().contains("page 2"), e.getMessage());
        assertFalse(e.getMessage().contains("--salvage"), "the command adds its option: " + e.getMessage());
        assertFalse(Files.exists(target), "nothing written");

        ConversionReport r = Conversion.run(source, target, new Conversion.Options(false, false, true, Backend.LMDB),
                Conversion.Progress.NONE);
        assertEquals(expected("small-truncated"), listing(target));
        assertFalse(r.skipped().isEmpty());
        assertTrue(String.join("\n", r.skipped()).contains("page 2"), r.skipped().toString());
    }

    @Test
    void damageLeavesAPreparedEmptyTargetEmptyAndNoLockFile() throws IOException {
        Path target = dir.resolve("prepared");
        Files.createFile(target);
        assertThrows(DamagedStoreException.class,
                () -> Conversion.run(corpus("small-truncated.sasldb2"), target, LMDB, Conversion.Progress.NONE));
        assertEquals(0, Files.size(target), "emptied again, not left half-initialised");
        assertFalse(Files.exists(dir.resolve("prepared-lock")));
    }

    @Test
    void refusesFilesThatAreNotSasldb() throws IOException {
        for (String name : List.of("zero.sasldb2", "text-not-db.sasldb2", "small-badmagic.sasldb2")) {
            Path target = dir.resolve("new-" + name);
            StoreException e = assertThrows(StoreException.class,
                    () -> Conversion.run(corpus(name), target, LMDB, Conversion.Progress.NONE), name);
            assertFalse(Files.exists(target), name);
            assertFalse(e.getMessage().isEmpty());
        }
    }

    @Test
    void refusesAnExistingTargetUnlessMerging() throws IOException {
        Path target = dir.resolve("new");
        Conversion.run(corpus("small.sasldb2"), target, LMDB, Conversion.Progress.NONE);
        StoreException e = assertThrows(Conversion.TargetExistsException.class,
                () -> Conversion.run(corpus("small-be.sasldb2"), target, LMDB, Conversion.Progress.NONE));
        assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("--merge"), "the command adds its option: " + e.getMessage());

        try (CredentialStore s = CredentialStore.open(target, StoreOptions.create())) {
            s.update(w -> w.put(UserId.of("zed", "example.org"), "userPassword", "z".getBytes(StandardCharsets.UTF_8)));
        }
        ConversionReport r = Conversion.run(corpus("small.sasldb2"), target, MERGE, Conversion.Progress.NONE);
        assertEquals(9, r.records(), "every user of the source is in the target, unchanged");
        assertTrue(r.merged());
        assertEquals(List.of(), r.changes(), "nothing differed, nothing was added");
        assertEquals(10, listing(target).size());
    }

    // --- merge: the user is the unit (issue 8 §5) ------------------------------------------------

    private static final Conversion.Options MERGE = new Conversion.Options(true, false, false, Backend.LMDB);
    private static final UserId ALICE = UserId.of("alice", "example.org");
    private static final UserId BOB = UserId.of("bob", "example.org");

    /** Source: alice and bob with plaintext (the old file, with a late change for bob). */
    private Path oldFile() throws IOException {
        return dump("old.dump", "alice\0example.org\0userPassword", "old-alice",
                "bob\0example.org\0userPassword", "bob-changed-late");
    }

    /** Target: alice switched to a hashed secret, bob deleted, carol added. */
    private Path newStore() throws IOException {
        Path target = dir.resolve("new");
        Conversion.run(dump("first.dump", "alice\0example.org\0userPassword", "old-alice",
                "bob\0example.org\0userPassword", "bob-first"), target, LMDB, Conversion.Progress.NONE);
        try (CredentialStore s = CredentialStore.open(target, StoreOptions.create())) {
            s.update(w -> {
                w.delete(ALICE, "userPassword");
                w.put(ALICE, "sasldb4j.argon2id", "{ARGON2ID}new".getBytes(StandardCharsets.UTF_8));
                w.deleteUser(BOB);
                w.put(UserId.of("carol", "example.org"), "userPassword", "c".getBytes(StandardCharsets.UTF_8));
            });
        }
        return target;
    }

    @Test
    @org.junit.jupiter.api.Tag("attack")
    void aMergeNeverBringsBackAnOldPlaintextBesideNewSecretsAndRefusesWithoutAChoice() throws IOException {
        Path target = newStore();
        List<String> before = listing(target);
        MergeConflictException e = assertThrows(MergeConflictException.class,
                () -> Conversion.run(oldFile(), target, MERGE, Conversion.Progress.NONE));
        assertEquals(1, e.users().size(), e.users().toString());
        assertTrue(e.users().get(0).startsWith("\"alice@example.org\""), e.users().toString());
        assertTrue(e.getMessage().contains("nothing was written"), e.getMessage());
        assertFalse(e.getMessage().contains("--prefer"), "the command adds its option: " + e.getMessage());
        assertEquals(before, listing(target), "nothing written, not even bob");
    }

    @Test
    @org.junit.jupiter.api.Tag("attack")
    void preferTargetKeepsTheTargetsSecretsWholeAndReportsEveryUser() throws IOException {
        Path target = newStore();
        ConversionReport r = Conversion.run(oldFile(), target,
                new Conversion.Options(true, false, false, Backend.LMDB, Conversion.Prefer.TARGET, false),
                Conversion.Progress.NONE);
        assertEquals(List.of("userPassword"), properties(target, BOB));
        assertEquals(List.of("sasldb4j.argon2id"), properties(target, ALICE), "no plaintext beside the new hash");
        assertEquals(2, r.changes().size(), r.changes().toString());
        assertTrue(r.changes().get(0).startsWith("kept \"alice@example.org\""), r.changes().toString());
        assertTrue(r.changes().get(1).startsWith("added \"bob@example.org\"")
                && r.changes().get(1).contains("deleted there on purpose"), r.changes().toString());
        assertTrue(r.verified());
    }

    @Test
    void preferSourceReplacesTheWholeUserSoALateChangeArrives() throws IOException {
        Path target = newStore();
        ConversionReport r = Conversion.run(oldFile(), target,
                new Conversion.Options(true, false, false, Backend.LMDB, Conversion.Prefer.SOURCE, false),
                Conversion.Progress.NONE);
        assertEquals(List.of("userPassword"), properties(target, ALICE), "the target's hash is gone with the rest");
        try (CredentialStore s = CredentialStore.open(target, StoreOptions.readOnly())) {
            assertEquals("bob-changed-late", new String(s.get(BOB, "userPassword").orElseThrow(), StandardCharsets.UTF_8));
            assertEquals(1, s.user(UserId.of("carol", "example.org")).size(), "users only in the target stay");
        }
        assertTrue(r.changes().get(0).startsWith("replaced \"alice@example.org\""), r.changes().toString());
        assertEquals(2, r.records());
    }

    @Test
    void aDryRunMergeReportsWhatItWouldDoAndWritesNothing() throws IOException {
        Path target = newStore();
        List<String> before = listing(target);
        ConversionReport r = Conversion.run(oldFile(), target,
                new Conversion.Options(true, true, false, Backend.LMDB, Conversion.Prefer.SOURCE, false),
                Conversion.Progress.NONE);
        assertEquals(before, listing(target));
        assertTrue(r.changes().get(0).startsWith("would replace \"alice@example.org\""), r.changes().toString());
        assertTrue(r.changes().get(1).startsWith("would add \"bob@example.org\""), r.changes().toString());
        assertThrows(MergeConflictException.class, () -> Conversion.run(oldFile(), target,
                new Conversion.Options(true, true, false, Backend.LMDB), Conversion.Progress.NONE));
    }

    // --- every record of a readable source (issue 8 §6) ------------------------------------------

    private Path unreachableIds() throws IOException {
        return dump("odd.dump", "\0example.org\0userPassword", "empty-name",
                " hal \0example.org\0userPassword", "spaces",
                "eve\0 example.org\0userPassword", "realm-space",
                "ok\0example.org\0userPassword", "fine",
                "\0example.org\0cmusaslsecretOTP", "second record of the empty name");
    }

    @Test
    void idsNoLoginCanReachAreCopiedAndNamedOncePerUser() throws IOException {
        Path target = dir.resolve("new");
        ConversionReport r = Conversion.run(unreachableIds(), target, LMDB, Conversion.Progress.NONE);
        assertEquals(5, r.records());
        assertEquals(List.of(), r.skipped());
        assertEquals(3, r.unreachable().size(), r.unreachable().toString());
        assertTrue(r.unreachable().get(0).startsWith("\"@example.org\": the user name is empty"), r.unreachable().toString());
        assertTrue(r.unreachable().get(1).startsWith("\"\\x20hal\\x20@example.org\""), r.unreachable().toString());
        assertEquals(5, listing(target).size());
        assertTrue(r.verified());
    }

    @Test
    void dropUnreachableIsAnExplicitChoiceAndListsEachRecord() throws IOException {
        Path target = dir.resolve("new");
        ConversionReport r = Conversion.run(unreachableIds(), target,
                new Conversion.Options(false, false, false, Backend.LMDB, null, true), Conversion.Progress.NONE);
        assertEquals(1, r.records());
        assertEquals(4, r.dropped().size(), r.dropped().toString());
        assertEquals(List.of(), r.unreachable());
        assertEquals(List.of(), r.skipped());
    }

    @Test
    void aMissingSourceIsNamedAndNoTargetIsLeftBehind() {
        Path target = dir.resolve("new.lmdb");
        StoreNotFoundException e = assertThrows(StoreNotFoundException.class, () -> Conversion.run(
                dir.resolve("nonexistent"), target, LMDB, Conversion.Progress.NONE));
        assertTrue(e.getMessage().startsWith("source " + dir.resolve("nonexistent") + " does not exist"), e.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(dir.resolve("new.lmdb-lock")));
        StoreException d = assertThrows(StoreException.class, () -> Conversion.run(dir, target, LMDB,
                Conversion.Progress.NONE));
        assertTrue(d.getMessage().contains("is a directory"), d.getMessage());
        assertFalse(Files.exists(target));
    }

    @Test
    void aTargetInAMissingDirectoryFailsWithoutLeavingAnything() throws IOException {
        Path target = dir.resolve("no-such-dir/new");
        StoreException e = assertThrows(StoreException.class, () -> Conversion.run(corpus("small.sasldb2"), target,
                LMDB, Conversion.Progress.NONE));
        assertTrue(e.getMessage().startsWith("cannot create " + target), e.getMessage());
        assertFalse(Files.exists(target.getParent()));
    }

    private Path dump(String name, String... keysAndValues) throws IOException {
        return DbDumpText.write(dir.resolve(name), keysAndValues);
    }

    private static List<String> properties(Path store, UserId u) {
        List<String> out = new ArrayList<>();
        try (CredentialStore s = CredentialStore.open(store, StoreOptions.readOnly())) {
            s.user(u).forEach(e -> out.add(e.property()));
        }
        return out;
    }

    @Test
    void dryRunWritesNothing() throws IOException {
        Path target = dir.resolve("new");
        ConversionReport r = Conversion.run(corpus("medium.sasldb2"), target,
                new Conversion.Options(false, true, false, Backend.LMDB), Conversion.Progress.NONE);
        assertFalse(Files.exists(target));
        assertEquals(expected("medium").size(), r.records());
        assertFalse(r.verified());
    }

    @Test
    void theTargetGetsTheSourceModeButNeverAccessForOthers() throws IOException {
        Path source = corpus("small.sasldb2");
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-rw-r--"));
        Path target = dir.resolve("new");
        Conversion.run(source, target, LMDB, Conversion.Progress.NONE);
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    }

    @Test
    void refusesConvertingAFileIntoItself() throws IOException {
        Path source = corpus("small.sasldb2");
        StoreException e = assertThrows(StoreException.class,
                () -> Conversion.run(source, source, new Conversion.Options(true, false, false, Backend.LMDB),
                        Conversion.Progress.NONE));
        assertTrue(e.getMessage().contains("same file"), e.getMessage());
    }

    @Test
    void anLmdbStoreIsAValidSourceToo() throws IOException {
        Path first = dir.resolve("first");
        Conversion.run(corpus("small.sasldb2"), first, LMDB, Conversion.Progress.NONE);
        Path second = dir.resolve("second");
        Conversion.run(first, second, new Conversion.Options(false, false, false, Backend.SQLITE), Conversion.Progress.NONE);
        assertEquals(expected("small"), listing(second));
    }

    @Test
    void aKeyTwiceInTheSourceIsReportedAndTheLastValueKept() throws IOException {
        // A db_dump text may hold a key twice (hand-edited); the fast read-back then differs
        // and the records are checked one by one.
        HexFormat hex = HexFormat.of();
        String key = hex.formatHex("alice\0example.org\0userPassword".getBytes(StandardCharsets.UTF_8));
        String other = hex.formatHex("bob\0example.org\0userPassword".getBytes(StandardCharsets.UTF_8));
        Path dump = dir.resolve("dup.dump");
        Files.writeString(dump, "VERSION=3\nformat=bytevalue\ntype=hash\nHEADER=END\n"
                + " " + key + "\n " + hex.formatHex("first".getBytes(StandardCharsets.UTF_8)) + "\n"
                + " " + other + "\n " + hex.formatHex("bobpw".getBytes(StandardCharsets.UTF_8)) + "\n"
                + " " + key + "\n " + hex.formatHex("second".getBytes(StandardCharsets.UTF_8)) + "\n"
                + "DATA=END\n");
        Path target = dir.resolve("new");
        ConversionReport r = Conversion.run(dump, target, LMDB, Conversion.Progress.NONE);
        assertTrue(r.verified());
        assertEquals(2, r.records());
        assertEquals(1, r.skipped().size(), r.skipped().toString());
        assertTrue(r.skipped().get(0).contains("more than once"), r.skipped().toString());
        try (CredentialStore s = CredentialStore.open(target, StoreOptions.readOnly())) {
            assertEquals("second", new String(s.get(UserId.of("alice", "example.org"), "userPassword").orElseThrow(),
                    StandardCharsets.UTF_8));
        }
    }

    @Test
    void theReadBackDigestSeesAOneByteChange() {
        Entry a = Entry.of(UserId.of("alice", "r"), "userPassword", "secret".getBytes(StandardCharsets.UTF_8));
        Entry b = Entry.of(UserId.of("alice", "r"), "userPassword", "secres".getBytes(StandardCharsets.UTF_8));
        Entry c = Entry.of(UserId.of("alicf", "r"), "userPassword", "secret".getBytes(StandardCharsets.UTF_8));
        assertNotEquals(a.digest(), b.digest());
        assertNotEquals(a.digest(), c.digest());
        assertEquals(a.digest(), Entry.of(UserId.of("alice", "r"), "userPassword",
                "secret".getBytes(StandardCharsets.UTF_8)).digest());
    }

    @Test
    void reportsProgress() throws IOException {
        List<Long> seen = new ArrayList<>();
        Conversion.run(corpus("medium.sasldb2"), dir.resolve("new"), LMDB, seen::add);
        assertEquals(expected("medium").size(), seen.get(seen.size() - 1));
    }

    private Path corpus(String name) throws IOException {
        Path p = dir.resolve("src-" + name);
        try (InputStream in = getClass().getResourceAsStream("/corpus/" + name)) {
            Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
        }
        return p;
    }

    /** The corpus's expected records as {@code user TAB realm TAB property TAB hex}, bytewise sorted. */
    private List<String> expected(String name) throws IOException {
        List<String> out = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream("/corpus/" + name + ".expected.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isEmpty() && !line.startsWith("#")) {
                    out.add(line);
                }
            }
        }
        out.sort(ConversionTest::compareUtf8);
        return out;
    }

    private static List<String> listing(Path store) {
        List<String> out = new ArrayList<>();
        try (CredentialStore s = CredentialStore.open(store, StoreOptions.readOnly())) {
            s.forEach(e -> out.add(e.authid() + "\t" + e.realm() + "\t" + e.property() + "\t"
                    + HexFormat.of().formatHex(e.value())));
        }
        out.sort(ConversionTest::compareUtf8);
        return out;
    }

    private static int compareUtf8(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
