package org.sasldb4j.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every store must have, whatever keeps it: a file (LMDB, SQLite: see
 * {@link FileStoreContract}, which adds what is about files) or a database server (PostgreSQL).
 * Each backend's test extends a contract and says how to name a new store; nothing here knows
 * which backend it runs against.
 */
public abstract class CredentialStoreContract {

    /** The kind of file to ask for when creating; a server store ignores it. */
    protected abstract Backend backend();

    /** What {@link CredentialStore#format()} of a store of this backend says. */
    protected abstract StoreFormat expectedFormat();

    /**
     * The name of this test's store, as {@link CredentialStore#open(String, StoreOptions)} takes
     * it: a path in a temporary directory, a server address. Before the test creates it there is
     * no store under that name; it is the same name throughout one test.
     */
    protected abstract String storeName();

    /** Fails unless nothing was created under {@link #storeName()}. */
    protected abstract void assertNothingCreated();

    /** Opens this test's store with {@code options} (the backend of {@link #backend()}). */
    protected CredentialStore open(StoreOptions options) {
        return CredentialStore.open(storeName(), options.withBackend(backend()));
    }

    /** Opens this test's store for writing, creating it when missing. */
    protected CredentialStore create() {
        return open(StoreOptions.create());
    }

    protected static final UserId ALICE = UserId.of("alice", "example.org");

    /** Creates this test's store holding one record, alice's userPassword "p". */
    protected void createWithAlice() {
        try (CredentialStore s = create()) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("p")));
        }
    }

    @Test
    void createsAStoreAndStoresRecords() {
        try (CredentialStore s = create()) {
            assertEquals(expectedFormat(), s.format());
            s.update(w -> w.put(ALICE, "userPassword", bytes("secret")));
            assertArrayEquals(bytes("secret"), s.get(ALICE, "userPassword").orElseThrow());
            assertTrue(s.get(ALICE, "authPassword").isEmpty());
            assertTrue(s.get(UserId.of("alice", "EXAMPLE.ORG"), "userPassword").isEmpty(), "case-sensitive realm");
        }
    }

    @Test
    void keepsRawBytesOfValues() {
        byte[] value = new byte[256];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        UserId odd = UserId.of("ü ß\t'\"\\x%_", "");
        try (CredentialStore s = create()) {
            s.update(w -> w.put(odd, "userPassword", value));
            assertArrayEquals(value, s.get(odd, "userPassword").orElseThrow());
            List<Entry> all = all(s);
            assertEquals(1, all.size());
            assertArrayEquals(odd.authidBytes(), all.get(0).authidBytes());
            assertArrayEquals(new byte[0], all.get(0).realmBytes());
            assertArrayEquals(value, all.get(0).value());
            assertTrue(s.get(UserId.of("ü ß\t'\"\\x%%", ""), "userPassword").isEmpty(), "no pattern matching");
        }
    }

    @Test
    void listsInKeyOrderLikeLmdb() {
        try (CredentialStore s = create()) {
            s.update(w -> {
                w.put(UserId.of("bob", "b"), "userPassword", bytes("1"));
                w.put(UserId.of("ab", "z"), "userPassword", bytes("2"));
                w.put(UserId.of("a", "z"), "x", bytes("3"));
                w.put(UserId.of("a", "z"), "authPassword", bytes("4"));
                w.put(UserId.of("", "lead"), "userPassword", bytes("5"));
                w.put(UserId.of("é", ""), "userPassword", bytes("6"));
                w.put(UserId.of("a", "z"), "X", bytes("7"));
                w.put(UserId.of("a", "z "), "a", bytes("8"));
                w.put(UserId.of("a ", "z"), "a", bytes("9"));
            });
            List<String> lines = new ArrayList<>();
            s.forEach(e -> lines.add(e.toString()));
            // Bytewise on authid \0 realm \0 property: "a" < "a " (NUL below space), "X" < "a" < "x".
            assertEquals(List.of("@lead: userPassword", "a@z: X", "a@z: authPassword", "a@z: x", "a@z : a",
                    "a @z: a", "ab@z: userPassword", "bob@b: userPassword", "é@: userPassword"), lines);
        }
    }

    @Test
    void userRecordsAndDeletion() {
        try (CredentialStore s = create()) {
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
        try (CredentialStore s = create()) {
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
        try (CredentialStore s = create()) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("old-password")));
            s.update(w -> w.put(ALICE, "userPassword", bytes("new")));
            assertArrayEquals(bytes("new"), s.get(ALICE, "userPassword").orElseThrow());
            assertEquals(1, all(s).size());
        }
    }

    @Test
    void aKeyLongerThanLmdbAllowsIsRefusedEverywhere() {
        try (CredentialStore s = create()) {
            UserId longest = UserId.of("a".repeat(Entry.MAX_KEY_LENGTH - 2 - "p".length()), "");
            s.update(w -> w.put(longest, "p", bytes("fits")));
            UserId tooLong = UserId.of("a".repeat(Entry.MAX_KEY_LENGTH - 1 - "p".length()), "");
            StoreException e = assertThrows(StoreException.class, () -> s.update(w -> w.put(tooLong, "p", bytes("x"))));
            assertTrue(e.getMessage().contains(Integer.toString(Entry.MAX_KEY_LENGTH)), e.getMessage());
            // One rule, one message on every backend (Entry.requireKeyFits), never the value.
            assertEquals("cannot store " + Entry.of(tooLong, "p", bytes("x")) + ": user id, realm and property name"
                    + " together take " + (Entry.MAX_KEY_LENGTH + 1) + " bytes; sasldb4j allows at most "
                    + Entry.MAX_KEY_LENGTH + " (the LMDB limit, so that stores convert between backends)", e.getMessage());
            assertEquals(1, all(s).size());
        }
    }

    @Test
    void aKeyPutTwiceInOneTransactionKeepsTheLastValue() {
        try (CredentialStore s = create()) {
            s.update(w -> {
                w.put(ALICE, "userPassword", bytes("first"));
                w.put(ALICE, "cmusaslsecretPLAIN", bytes("other"));
                w.put(ALICE, "userPassword", bytes("second"));
                assertArrayEquals(bytes("second"), w.get(ALICE, "userPassword").orElseThrow());
                w.put(ALICE, "userPassword", bytes("third"));
            });
            assertArrayEquals(bytes("third"), s.get(ALICE, "userPassword").orElseThrow());
            assertEquals(2, all(s).size());
        }
    }

    @Test
    void bulkReadsAndDeletesActAsTheirOneUserForms() {
        UserId bob = UserId.of("bob", "example.org");
        UserId carol = UserId.of("carol", "");
        UserId nobody = UserId.of("nobody", "example.org");
        try (CredentialStore s = create()) {
            s.update(w -> {
                w.put(ALICE, "userPassword", bytes("a"));
                w.put(ALICE, "sasldb4j.disabled", bytes("1"));
                w.put(bob, "userPassword", bytes("b"));
                w.put(bob, "cmusaslsecretPLAIN", bytes("b"));
                w.put(carol, "userPassword", bytes("c"));
            });
            s.update(w -> {
                // Pending writes of the transaction are seen, as by user().
                w.put(nobody, "userPassword", bytes("n"));
                assertEquals(java.util.Set.of(ALICE, bob, nobody),
                        w.existingUsers(List.of(ALICE, bob, nobody, UserId.of("alice", "EXAMPLE.ORG"))));
                assertEquals(java.util.Set.of(), w.existingUsers(List.of()));
                assertEquals(2, w.deleteProperties(List.of(ALICE, bob), List.of("userPassword", "cmusaslsecretDIGEST-MD5")));
                assertEquals(2, w.deleteUsers(List.of(carol, nobody, UserId.of("x", "y"))));
            });
            List<Entry> left = all(s);
            assertEquals(List.of("alice@example.org: sasldb4j.disabled", "bob@example.org: cmusaslsecretPLAIN"),
                    left.stream().map(Entry::toString).toList());
        }
    }

    @Test
    void aFailedWriteLeavesNothing() {
        try (CredentialStore s = create()) {
            assertThrows(IllegalStateException.class, () -> s.update(w -> {
                w.put(ALICE, "userPassword", bytes("x"));
                w.put(UserId.of("bob", "r"), "userPassword", bytes("y"));
                throw new IllegalStateException("stop");
            }));
            assertTrue(all(s).isEmpty());
            // The store is still usable after the rollback.
            s.update(w -> w.put(ALICE, "userPassword", bytes("z")));
            assertEquals(1, all(s).size());
        }
    }

    @Test
    void writerSeesItsOwnUncommittedWrites() {
        try (CredentialStore s = create()) {
            s.update(w -> {
                w.put(ALICE, "userPassword", bytes("x"));
                assertArrayEquals(bytes("x"), w.get(ALICE, "userPassword").orElseThrow());
                assertEquals(1, w.user(ALICE).size());
                w.put(ALICE, "userPassword", bytes("y"));
                assertTrue(w.delete(ALICE, "userPassword"));
                assertTrue(w.get(ALICE, "userPassword").isEmpty());
            });
            assertTrue(all(s).isEmpty());
        }
    }

    @Test
    void anotherHandleSeesCommittedWritesAtOnce() {
        try (CredentialStore writer = create(); CredentialStore reader = open(StoreOptions.readOnly())) {
            assertTrue(reader.get(ALICE, "userPassword").isEmpty());
            writer.update(w -> w.put(ALICE, "userPassword", bytes("now")));
            assertArrayEquals(bytes("now"), reader.get(ALICE, "userPassword").orElseThrow());
        }
    }

    @Test
    void dataSurvivesReopening() {
        try (CredentialStore s = create()) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("kept")));
        }
        try (CredentialStore s = open(StoreOptions.readOnly())) {
            assertEquals(expectedFormat(), s.format());
            assertArrayEquals(bytes("kept"), s.get(ALICE, "userPassword").orElseThrow());
            assertThrows(StoreException.class, () -> s.update(w -> w.put(ALICE, "x", bytes("y"))));
        }
    }

    @Test
    void anExistingStoreKeepsItsKindWhateverBackendIsAsked() {
        createWithAlice();
        Backend other = backend() == Backend.LMDB ? Backend.SQLITE : Backend.LMDB;
        try (CredentialStore s = CredentialStore.open(storeName(), StoreOptions.create().withBackend(other))) {
            assertEquals(expectedFormat(), s.format());
            assertEquals(1, all(s).size());
        }
    }

    @Test
    void refusesAMissingStoreWithoutCreate() {
        String name = storeName();
        for (StoreOptions o : List.of(StoreOptions.readOnly(), StoreOptions.readOnly().withAccess(StoreOptions.Access.READ_WRITE))) {
            StoreNotFoundException e = assertThrows(StoreNotFoundException.class, () -> open(o));
            assertTrue(e.getMessage().contains(StoreAddress.redacted(name)), e.getMessage());
            assertEquals(Path.of(StoreAddress.redacted(name)), e.store()); // the commands add how to create one
            assertFalse(e.getMessage().contains("saslpasswd"), e.getMessage()); // the library names no command
        }
        assertNothingCreated();
    }

    @Test
    void manyRecordsInOneTransaction() {
        try (CredentialStore s = create()) {
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
        try (CredentialStore s = create()) {
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
        createWithAlice();
        try (CredentialStore daemon = create(); CredentialStore admin = create()) {
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
        try (CredentialStore s = create()) {
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
        createWithAlice();
        try (CredentialStore s = open(StoreOptions.readOnly())) {
            byte[] read = RecordsDigest.of(s.user(ALICE));
            assertThrows(StoreException.class, () -> s.writeIfUnchanged(ALICE, read, w -> w.deleteUser(ALICE)));
            assertEquals(1, s.user(ALICE).size());
        }
    }

    @Test
    void statsTellHowFullTheStoreIsAndAreConsistent() {
        try (CredentialStore s = create()) {
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
        try (CredentialStore s = create()) {
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
        CredentialStore s = create();
        s.close();
        org.junit.jupiter.api.Assertions.assertNotNull(s.stats());
    }

    protected static List<Entry> all(CredentialStore s) {
        List<Entry> out = new ArrayList<>();
        s.forEach(out::add);
        return out;
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }
}
