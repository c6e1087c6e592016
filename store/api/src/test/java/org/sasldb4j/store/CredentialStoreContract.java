package org.sasldb4j.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every backend must have. Each backend's test extends this class and names its
 * backend; nothing here knows which one it runs against.
 */
public abstract class CredentialStoreContract {
    @TempDir
    protected Path dir;

    protected abstract Backend backend();

    protected StoreFormat expectedFormat() {
        return backend() == Backend.LMDB ? StoreFormat.LMDB : StoreFormat.SQLITE;
    }

    protected CredentialStore create(Path p) {
        return CredentialStore.open(p, StoreOptions.create().withBackend(backend()));
    }

    protected static final UserId ALICE = UserId.of("alice", "example.org");

    /** A store "db" in {@link #dir} holding one record, alice's userPassword "p": the start of the file-level tests. */
    protected Path storeWithAlice() {
        Path p = dir.resolve("db");
        try (CredentialStore s = create(p)) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("p")));
        }
        return p;
    }

    @Test
    void createsTheFileAndStoresRecords() {
        Path p = dir.resolve("sasldb");
        try (CredentialStore s = create(p)) {
            assertEquals(expectedFormat(), s.format());
            s.update(w -> w.put(ALICE, "userPassword", bytes("secret")));
            assertArrayEquals(bytes("secret"), s.get(ALICE, "userPassword").orElseThrow());
            assertTrue(s.get(ALICE, "authPassword").isEmpty());
            assertTrue(s.get(UserId.of("alice", "EXAMPLE.ORG"), "userPassword").isEmpty(), "case-sensitive realm");
        }
        assertEquals(expectedFormat(), StoreFormat.detect(p));
    }

    @Test
    void keepsRawBytesOfKeysAndValues() {
        byte[] value = new byte[256];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        byte[] authid = {(byte) 0xff, 'x', (byte) 0xc3};
        UserId odd = UserId.ofBytes(authid, new byte[0]);
        try (CredentialStore s = create(dir.resolve("db"))) {
            s.update(w -> w.put(odd, "userPassword", value));
            assertArrayEquals(value, s.get(odd, "userPassword").orElseThrow());
            List<Entry> all = all(s);
            assertEquals(1, all.size());
            assertArrayEquals(authid, all.get(0).authidBytes());
            assertArrayEquals(new byte[0], all.get(0).realmBytes());
            assertArrayEquals(value, all.get(0).value());
        }
    }

    @Test
    void listsInKeyOrderLikeLmdb() {
        try (CredentialStore s = create(dir.resolve("db"))) {
            s.update(w -> {
                w.put(UserId.of("bob", "b"), "userPassword", bytes("1"));
                w.put(UserId.of("ab", "z"), "userPassword", bytes("2"));
                w.put(UserId.of("a", "z"), "x", bytes("3"));
                w.put(UserId.of("a", "z"), "authPassword", bytes("4"));
                w.put(UserId.of("", "lead"), "userPassword", bytes("5"));
                w.put(UserId.of("é", ""), "userPassword", bytes("6"));
            });
            List<String> lines = new ArrayList<>();
            s.forEach(e -> lines.add(e.toString()));
            assertEquals(List.of("@lead: userPassword", "a@z: authPassword", "a@z: x", "ab@z: userPassword",
                    "bob@b: userPassword", "é@: userPassword"), lines);
        }
    }

    @Test
    void userRecordsAndDeletion() {
        try (CredentialStore s = create(dir.resolve("db"))) {
            UserId a2 = UserId.of("alice", "example.org.uk");
            UserId al = UserId.of("al", "ice");
            s.update(w -> {
                w.put(ALICE, "userPassword", bytes("p"));
                w.put(ALICE, "authPassword", bytes("q"));
                w.put(a2, "userPassword", bytes("r"));
                w.put(al, "userPassword", bytes("s"));
            });
            assertEquals(2, s.user(ALICE).size());
            assertEquals(2, (int) s.<Integer>write(w -> w.deleteUser(ALICE)));
            assertTrue(s.user(ALICE).isEmpty());
            assertEquals(1, s.user(a2).size(), "a longer realm with the same prefix is another user");
            assertEquals(1, s.user(al).size());
            assertFalse(s.<Boolean>write(w -> w.delete(ALICE, "userPassword")));
            assertTrue(s.<Boolean>write(w -> w.delete(a2, "userPassword")));
            assertEquals(0, (int) s.<Integer>write(w -> w.deleteUser(ALICE)));
        }
    }

    @Test
    void deletesSeveralPropertiesAtOnceAndNothingElse() {
        try (CredentialStore s = create(dir.resolve("db"))) {
            UserId al = UserId.of("alice", "example.or"); // a neighbouring user
            s.update(w -> {
                w.put(ALICE, "cmusaslsecretCRAM-MD5", bytes("1"));
                w.put(ALICE, "cmusaslsecretOTP", bytes("keep"));
                w.put(ALICE, "cmusaslsecretPLAIN", bytes("3"));
                w.put(ALICE, "userPassword", bytes("keep"));
                w.put(al, "cmusaslsecretDIGEST-MD5", bytes("keep"));
            });
            List<String> legacy = List.of("cmusaslsecretCRAM-MD5", "cmusaslsecretDIGEST-MD5", "cmusaslsecretPLAIN");
            assertEquals(2, (int) s.<Integer>write(w -> w.delete(ALICE, legacy)));
            List<String> left = new ArrayList<>();
            s.forEach(e -> left.add(e.toString()));
            assertEquals(List.of("alice@example.or: cmusaslsecretDIGEST-MD5", "alice@example.org: cmusaslsecretOTP",
                    "alice@example.org: userPassword"), left);
            assertEquals(0, (int) s.<Integer>write(w -> w.delete(ALICE, legacy)));
            assertEquals(0, (int) s.<Integer>write(w -> w.delete(UserId.of("a".repeat(600), "r"), legacy)));
        }
    }

    @Test
    void overwriteReplacesTheValue() {
        try (CredentialStore s = create(dir.resolve("db"))) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("old-password")));
            s.update(w -> w.put(ALICE, "userPassword", bytes("new")));
            assertArrayEquals(bytes("new"), s.get(ALICE, "userPassword").orElseThrow());
            assertEquals(1, all(s).size());
        }
    }

    @Test
    void aFailedWriteLeavesNothing() {
        try (CredentialStore s = create(dir.resolve("db"))) {
            assertThrows(IllegalStateException.class, () -> s.update(w -> {
                w.put(ALICE, "userPassword", bytes("x"));
                w.put(UserId.of("bob", "r"), "userPassword", bytes("y"));
                throw new IllegalStateException("stop");
            }));
            assertTrue(all(s).isEmpty());
        }
    }

    @Test
    void writerSeesItsOwnUncommittedWrites() {
        try (CredentialStore s = create(dir.resolve("db"))) {
            s.update(w -> {
                w.put(ALICE, "userPassword", bytes("x"));
                assertArrayEquals(bytes("x"), w.get(ALICE, "userPassword").orElseThrow());
                assertEquals(1, w.user(ALICE).size());
            });
        }
    }

    @Test
    void anotherHandleSeesCommittedWritesAtOnce() {
        Path p = dir.resolve("db");
        try (CredentialStore writer = create(p);
                CredentialStore reader = CredentialStore.open(p, StoreOptions.readOnly())) {
            assertTrue(reader.get(ALICE, "userPassword").isEmpty());
            writer.update(w -> w.put(ALICE, "userPassword", bytes("now")));
            assertArrayEquals(bytes("now"), reader.get(ALICE, "userPassword").orElseThrow());
        }
    }

    @Test
    void dataSurvivesReopening() {
        Path p = dir.resolve("db");
        try (CredentialStore s = create(p)) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("kept")));
        }
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.readOnly())) {
            assertEquals(expectedFormat(), s.format());
            assertArrayEquals(bytes("kept"), s.get(ALICE, "userPassword").orElseThrow());
            assertThrows(StoreException.class, () -> s.update(w -> w.put(ALICE, "x", bytes("y"))));
        }
    }

    @Test
    void anExistingStoreKeepsItsKindWhateverBackendIsAsked() {
        Path p = storeWithAlice();
        Backend other = backend() == Backend.LMDB ? Backend.SQLITE : Backend.LMDB;
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.create().withBackend(other))) {
            assertEquals(expectedFormat(), s.format());
            assertEquals(1, all(s).size());
        }
    }

    @Test
    void aZeroByteFileIsInitialisedKeepingItsInode() throws IOException {
        Path p = dir.resolve("db");
        Files.createFile(p);
        Object inode = Files.getAttribute(p, "unix:ino");
        try (CredentialStore s = create(p)) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("p")));
        }
        assertEquals(inode, Files.getAttribute(p, "unix:ino"));
        assertEquals(expectedFormat(), StoreFormat.detect(p));
    }

    @Test
    void aZeroByteFileReadOnlyIsAnEmptyStore() throws IOException {
        Path p = dir.resolve("db");
        Files.createFile(p);
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.readOnly())) {
            assertTrue(all(s).isEmpty());
        }
        assertEquals(0, Files.size(p));
    }

    @Test
    void refusesMissingFileWithoutCreate() {
        Path p = dir.resolve("missing");
        StoreNotFoundException e = assertThrows(StoreNotFoundException.class,
                () -> CredentialStore.open(p, StoreOptions.readOnly()));
        assertTrue(e.getMessage().contains(p.toString()));
        assertEquals(p, e.store()); // the commands add how to create one; the library names no command
        assertFalse(e.getMessage().contains("saslpasswd"), e.getMessage());
        assertFalse(Files.exists(p));
    }

    @Test
    void refusesTextAndBerkeleyDbFilesWithoutTouchingThem() throws IOException {
        Path text = dir.resolve("text");
        Files.writeString(text, "this is not a database\n");
        Path bdb = dir.resolve("sasldb2");
        byte[] page = new byte[4096];
        page[12] = 0x61; page[13] = 0x15; page[14] = 0x06; // hash magic 0x061561, little-endian
        Files.write(bdb, page);
        for (Path p : List.of(text, bdb)) {
            byte[] before = Files.readAllBytes(p);
            ForeignFormatException e = assertThrows(ForeignFormatException.class, () -> create(p));
            assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(p));
        }
        ForeignFormatException e = assertThrows(ForeignFormatException.class, () -> create(bdb));
        assertEquals(StoreFormat.BDB_HASH, e.format());
        assertEquals(bdb, e.path()); // the commands add how to convert it; the library names no command
        assertFalse(e.getMessage().contains("sasldbconvert"), e.getMessage());
    }

    @Test
    void newFilesAreNeverAccessibleToOthers() throws IOException {
        Path p = dir.resolve("db");
        try (CredentialStore s = create(p)) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("p")));
            for (Path f : StoreOpener.filesOf(s)) {
                if (Files.exists(f)) {
                    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f);
                    assertFalse(perms.contains(PosixFilePermission.OTHERS_READ), f + " " + perms);
                    assertFalse(perms.contains(PosixFilePermission.OTHERS_WRITE), f + " " + perms);
                }
            }
        }
    }

    @Test
    void changingAStoreKeepsItsInodeAndMode() throws IOException {
        Path p = storeWithAlice();
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r-----"));
        Object inode = Files.getAttribute(p, "unix:ino");
        try (CredentialStore s = create(p)) {
            s.update(w -> w.put(UserId.of("bob", "r"), "userPassword", bytes("q")));
        }
        assertEquals(inode, Files.getAttribute(p, "unix:ino"));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
    }

    @Test
    void readingSecretsRefusesAWorldReadableStore() throws IOException {
        Path p = storeWithAlice();
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        UnsafePermissionsException e = assertThrows(UnsafePermissionsException.class,
                () -> CredentialStore.open(p, StoreOptions.readOnly().readingSecrets()));
        assertTrue(e.getMessage().contains("0644"), e.getMessage());
        assertTrue(e.getMessage().contains("chmod o-rwx " + p), e.getMessage());
        // Listing (no secrets read) still works.
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.readOnly())) {
            assertEquals(1, all(s).size());
        }
    }

    @Test
    void manyRecordsInOneTransaction() {
        try (CredentialStore s = create(dir.resolve("db"))) {
            s.update(w -> {
                for (int i = 0; i < 20_000; i++) {
                    w.put(UserId.of(String.format("user%06d", i), "example.org"), "userPassword", bytes("pw" + i));
                }
            });
            assertEquals(20_000, all(s).size());
            assertArrayEquals(bytes("pw12345"),
                    s.get(UserId.of("user012345", "example.org"), "userPassword").orElseThrow());
        }
    }

    @Test
    void writeIfUnchangedWritesWhenTheRecordsAreWhatWasRead() {
        try (CredentialStore s = create(dir.resolve("db"))) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("old")));
            byte[] read = RecordsDigest.of(s.user(ALICE));
            assertTrue(s.writeIfUnchanged(ALICE, read, w -> {
                w.delete(ALICE, "userPassword");
                w.put(ALICE, "sasldb4j.argon2id", bytes("hash of old"));
            }));
            assertTrue(s.get(ALICE, "userPassword").isEmpty());
            assertArrayEquals(bytes("hash of old"), s.get(ALICE, "sasldb4j.argon2id").orElseThrow());
        }
    }

    @Test
    void writeIfUnchangedLosesNoChangeCommittedByAnotherHandleSinceTheRead() {
        Path p = storeWithAlice();
        try (CredentialStore daemon = CredentialStore.open(p, StoreOptions.create().withBackend(backend()));
                CredentialStore admin = CredentialStore.open(p, StoreOptions.create().withBackend(backend()))) {
            byte[] read = RecordsDigest.of(daemon.user(ALICE));
            admin.update(w -> w.put(ALICE, "userPassword", bytes("changed by the admin")));
            int[] ran = {0};
            assertFalse(daemon.writeIfUnchanged(ALICE, read, w -> {
                ran[0]++;
                w.put(ALICE, "userPassword", bytes("stale rewrite"));
            }));
            assertEquals(0, ran[0], "the work never runs on changed records");
            assertArrayEquals(bytes("changed by the admin"), daemon.get(ALICE, "userPassword").orElseThrow());
            // Same value written again is no change; a disabled mark or a deleted user is one.
            byte[] now = RecordsDigest.of(daemon.user(ALICE));
            admin.update(w -> w.put(ALICE, "sasldb4j.disabled", bytes("disabled")));
            assertFalse(daemon.writeIfUnchanged(ALICE, now, w -> w.delete(ALICE, "sasldb4j.disabled")));
            byte[] disabled = RecordsDigest.of(daemon.user(ALICE));
            admin.update(w -> w.deleteUser(ALICE));
            assertFalse(daemon.writeIfUnchanged(ALICE, disabled, w -> w.put(ALICE, "userPassword", bytes("x"))));
            assertTrue(daemon.user(ALICE).isEmpty(), "a user deleted meanwhile is not recreated");
        }
    }

    @Test
    void writeIfUnchangedWorkThatThrowsRollsBack() {
        try (CredentialStore s = create(dir.resolve("db"))) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("p")));
            byte[] read = RecordsDigest.of(s.user(ALICE));
            assertThrows(IllegalStateException.class, () -> s.writeIfUnchanged(ALICE, read, w -> {
                w.delete(ALICE, "userPassword");
                throw new IllegalStateException("stop");
            }));
            assertArrayEquals(bytes("p"), s.get(ALICE, "userPassword").orElseThrow());
        }
    }

    @Test
    void writeIfUnchangedIsRefusedOnAReadOnlyStore() {
        Path p = storeWithAlice();
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.readOnly().withBackend(backend()))) {
            byte[] read = RecordsDigest.of(s.user(ALICE));
            assertThrows(StoreException.class, () -> s.writeIfUnchanged(ALICE, read, w -> w.deleteUser(ALICE)));
            assertEquals(1, s.user(ALICE).size());
        }
    }

    protected static List<Entry> all(CredentialStore s) {
        List<Entry> out = new ArrayList<>();
        s.forEach(out::add);
        return out;
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void statsTellHowFullTheStoreIsAndAreConsistent() {
        Path p = dir.resolve("db");
        try (CredentialStore s = create(p)) {
            StoreStats empty = s.stats();
            s.update(w -> {
                for (int i = 0; i < 2000; i++) {
                    w.put(UserId.of("user" + i, "example.org"), "userPassword", new byte[64]);
                }
            });
            StoreStats full = s.stats();
            long used = full.bytesUsed().orElseThrow();
            assertTrue(used > empty.bytesUsed().orElseThrow(), "2000 records take room: " + empty + " -> " + full);
            full.bytesCapacity().ifPresent(cap -> assertTrue(used <= cap, full.toString()));
            assertEquals(full.readerSlotsUsed().isPresent(), full.readerSlotsMax().isPresent(), full.toString());
            full.readerSlotsMax().ifPresent(max -> assertTrue(full.readerSlotsUsed().getAsInt() <= max, full.toString()));
        }
    }

    /** A scrape runs beside logins and writers: it must not wait for a write transaction to end. */
    @Test
    void statsDoNotWaitForAnOpenWriteTransaction() throws Exception {
        try (CredentialStore s = create(dir.resolve("db"))) {
            java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Thread writer = new Thread(() -> s.update(w -> {
                w.put(ALICE, "userPassword", bytes("p"));
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            writer.start();
            inside.await();
            java.util.concurrent.CompletableFuture<StoreStats> stats =
                    java.util.concurrent.CompletableFuture.supplyAsync(s::stats);
            try {
                // A generous bound that only catches a deadlock: stats() behind the writer never returns.
                assertTrue(stats.get(60, java.util.concurrent.TimeUnit.SECONDS).bytesUsed().isPresent());
            } finally {
                release.countDown();
                writer.join();
            }
        }
    }

    @Test
    void aClosedStoreGivesNoStatsInsteadOfThrowing() {
        CredentialStore s = create(dir.resolve("db"));
        s.close();
        org.junit.jupiter.api.Assertions.assertNotNull(s.stats());
    }
}
