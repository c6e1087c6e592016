package org.sasldb4j.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store replaced by a rename, deleted, replaced by something that is not a store, or given
 * unsafe permissions while a long-lived reader has it open: the reader serves the new file or
 * fails every read with a StoreException, and logs one line per change.
 */
class FollowingStoreTest {
    @TempDir
    Path dir;
    Path path;
    final List<String> logged = new ArrayList<>();
    Logger log;

    @BeforeEach
    void setUp() {
        path = dir.resolve("sasldb2");
        log = Logger.getAnonymousLogger();
        log.setUseParentHandlers(false);
        log.addHandler(new LogLines(logged, m -> true));
    }

    private static final UserId ALICE = UserId.of("alice", "example.org");

    /** A store made elsewhere with {@code transactions} commits, alice's password {@code pw}. */
    private Path build(String name, String pw, int transactions) {
        Path p = dir.resolve(name);
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.create())) {
            for (int i = 0; i < transactions; i++) {
                int n = i;
                s.update(w -> w.put(UserId.of("filler" + n, "example.org"), "userPassword", new byte[] {'f'}));
            }
            s.update(w -> w.put(ALICE, "userPassword", pw.getBytes(StandardCharsets.UTF_8)));
        }
        return p;
    }

    private FollowingStore follow() {
        // An hour: these tests call check() themselves.
        return FollowingStore.open(path, StoreOptions.readOnly().readingSecrets(), Duration.ofHours(1), log);
    }

    private static String password(CredentialStore s) {
        return new String(s.get(ALICE, "userPassword").orElseThrow(), StandardCharsets.UTF_8);
    }

    private static void replace(Path from, Path to) throws Exception {
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void aStoreReplacedByARenameIsServedAfterTheNextCheck() throws Exception {
        replace(build("first", "old", 1), path);
        try (FollowingStore s = follow()) {
            s.check();
            assertTrue(logged.isEmpty(), "nothing changed, nothing logged: " + logged);
            assertEquals("old", password(s));
            replace(build("next", "new", 7), path); // a different transaction count than the first
            s.check();
            assertEquals("new", password(s));
            assertEquals(8, s.user(ALICE).size() + 7, "the new file's records");
            assertEquals(1, logged.size(), logged::toString);
            assertTrue(logged.get(0).startsWith("INFO store " + path + " was replaced"), logged::toString);
        }
    }

    @Test
    void aDeletedStoreFailsReadsUntilOneIsBack() throws Exception {
        replace(build("first", "old", 1), path);
        try (FollowingStore s = follow()) {
            Files.delete(path);
            s.check();
            StoreException e = assertThrows(StoreException.class, () -> s.get(ALICE, "userPassword"));
            assertTrue(e.getMessage().contains("missing"), e.getMessage());
            assertThrows(StoreException.class, () -> s.user(ALICE));
            s.check();
            assertEquals(1, logged.size(), "one line for the change, not one per check: " + logged);
            assertTrue(logged.get(0).startsWith("WARNING store " + path + " is missing"), logged::toString);

            replace(build("back", "back", 2), path);
            s.check();
            assertEquals("back", password(s));
            assertEquals(2, logged.size(), logged::toString);
            assertTrue(logged.get(1).contains("can be opened again"), logged::toString);
        }
    }

    @Test
    void aStoreReplacedByAFileThatIsNotAStoreFailsReads() throws Exception {
        replace(build("first", "old", 1), path);
        try (FollowingStore s = follow()) {
            Path text = dir.resolve("text");
            Files.writeString(text, "alice:secret\n");
            replace(text, path);
            s.check();
            StoreException e = assertThrows(StoreException.class, () -> s.get(ALICE, "userPassword"));
            assertTrue(e.getMessage().contains("not a sasldb store"), e.getMessage());
            s.check();
            assertEquals(1, logged.size(), logged::toString);
            assertTrue(logged.get(0).startsWith("WARNING store " + path + " changed and cannot be opened"), logged::toString);
        }
    }

    @Test
    void aStoreMadeWorldReadableIsRefusedAsAtOpenUntilFixed() throws Exception {
        replace(build("first", "old", 1), path);
        try (FollowingStore s = follow()) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
            s.check();
            StoreException e = assertThrows(StoreException.class, () -> s.get(ALICE, "userPassword"));
            assertTrue(e.getMessage().contains("chmod"), e.getMessage());
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            s.check();
            assertEquals("old", password(s));
            assertEquals(2, logged.size(), logged::toString);
        }
    }

    @Test
    void readersRacingWithReplacementsSeeOneFileOrTheOtherNeverAnError() throws Exception {
        replace(build("first", "v0", 1), path);
        try (FollowingStore s = follow()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger errors = new AtomicInteger();
            AtomicInteger reads = new AtomicInteger();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread th = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            if (!password(s).startsWith("v")) {
                                errors.incrementAndGet();
                            }
                            reads.incrementAndGet();
                        } catch (RuntimeException e) {
                            errors.incrementAndGet();
                        }
                    }
                });
                th.start();
                readers.add(th);
            }
            for (int i = 1; i <= 20; i++) {
                replace(build("v" + i, "v" + i, i % 3 + 1), path);
                s.check();
            }
            stop.set(true);
            for (Thread th : readers) {
                th.join();
            }
            assertEquals(0, errors.get(), "failed reads among " + reads.get());
            assertEquals("v20", password(s));
        }
    }

    @Test
    void anEmptyFileInitialisedInPlaceIsServedAfterTheNextCheck() throws Exception {
        Files.createFile(path, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        try (FollowingStore s = follow()) {
            assertTrue(s.get(ALICE, "userPassword").isEmpty());
            try (CredentialStore w = CredentialStore.open(path, StoreOptions.create())) {
                w.update(x -> x.put(ALICE, "userPassword", "first".getBytes(StandardCharsets.UTF_8)));
            }
            s.check();
            assertEquals("first", password(s));
        }
    }

    @Test
    void theBackgroundCheckNoticesWithoutBeingAsked() throws Exception {
        replace(build("first", "old", 1), path);
        try (FollowingStore s = FollowingStore.open(path, StoreOptions.readOnly(), Duration.ofMillis(20), log)) {
            replace(build("next", "new", 2), path);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!password(s).equals("new") && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals("new", password(s));
        }
        assertFalse(logged.isEmpty());
    }
}
