package org.sasldb4j.store.lmdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.sasldb4j.store.Backend;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.FileStoreContract;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;

class LmdbStoreTest extends FileStoreContract {

    // Same shape as SqliteStoreTest's: each backend's test names its backend, then checks its own file
    // layout; what every backend must do is in CredentialStoreContract.
    @Override
    protected Backend backend() {
        return Backend.LMDB;
    }

    @Test
    void usesCyrusLayoutOneDataFileAndADashLockFile() throws Exception {
        Path p = dir.resolve("sasldb2");
        try (CredentialStore s = create(p)) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("secret")));
        }
        assertTrue(Files.isRegularFile(p));
        assertTrue(Files.isRegularFile(dir.resolve("sasldb2-lock")));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no data.mdb / lock.mdb subdirectory layout");
        }
    }

    @Test
    void refusesKeysLongerThan511Bytes() {
        try (CredentialStore s = create(dir.resolve("db"))) {
            UserId ok = UserId.of("a".repeat(511 - "example.org".length() - "userPassword".length() - 2), "example.org");
            s.update(w -> w.put(ok, "userPassword", bytes("p")));
            UserId tooLong = UserId.of("a".repeat(500), "example.org");
            StoreException e = assertThrows(StoreException.class,
                    () -> s.update(w -> w.put(tooLong, "userPassword", bytes("p"))));
            assertTrue(e.getMessage().contains("511"), e.getMessage());
            assertTrue(!e.getMessage().contains("\"p\""));
        }
    }

    @Test
    void growsTheMapBeyondItsInitialSize() {
        Path p = dir.resolve("db");
        long total = 0;
        try (CredentialStore s = create(p)) {
            byte[] big = new byte[8000];
            // 3 x 40 MB crosses the 64 MiB initial map at least once.
            for (int batch = 0; batch < 3; batch++) {
                int b = batch;
                s.update(w -> {
                    for (int i = 0; i < 5000; i++) {
                        w.put(UserId.of("u" + b + "_" + i, "r"), "blob", big);
                    }
                });
                total += 5000;
            }
            assertEquals(total, all(s).size());
        }
        assertTrue(Environment.mapSizeFor(0) >= 64L << 20);
    }

    @Test
    void handlesOnOneFileShareOneEnvironmentAndCloseIndependently() {
        Path p = dir.resolve("db");
        CredentialStore a = create(p);
        CredentialStore b = CredentialStore.open(p, StoreOptions.readOnly());
        a.update(w -> w.put(ALICE, "userPassword", bytes("x")));
        a.close();
        a.close(); // idempotent
        assertTrue(b.get(ALICE, "userPassword").isPresent(), "the other handle still works");
        assertThrows(StoreException.class, () -> a.get(ALICE, "userPassword"));
        try (CredentialStore c = create(p)) {
            c.update(w -> w.put(UserId.of("bob", "r"), "userPassword", bytes("y")));
        }
        assertEquals(2, all(b).size());
        b.close();
    }

    @Test
    void aWriterCanJoinAReaderOfTheSameFileInOneProcess() {
        Path p = dir.resolve("db");
        try (CredentialStore s = create(p)) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("x")));
        }
        try (CredentialStore ro = CredentialStore.open(p, StoreOptions.readOnly());
                CredentialStore rw = create(p)) {
            rw.update(w -> w.put(UserId.of("bob", "r"), "userPassword", bytes("y")));
            assertEquals(2, all(ro).size(), "the reader sees the writer's change at once");
            StoreException e = assertThrows(StoreException.class,
                    () -> ro.update(w -> w.put(ALICE, "x", bytes("y"))));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
    }

    @Test
    void aLookupInsideAListingOnTheSameThreadWorks() {
        try (CredentialStore s = create(dir.resolve("db"))) {
            s.update(w -> {
                w.put(ALICE, "userPassword", bytes("a"));
                w.put(UserId.of("bob", "r"), "userPassword", bytes("b"));
            });
            List<String> seen = new ArrayList<>();
            s.forEach(e -> seen.add(e + " " + s.user(e.user()).size() + " " + s.get(e.user(), "userPassword").isPresent()));
            assertEquals(List.of("alice@example.org: userPassword 1 true", "bob@r: userPassword 1 true"), seen);
        }
    }

    @Test
    void threadsReadingWhileAWriterCommitsAlwaysSeeWholeCommits() throws Exception {
        try (CredentialStore s = create(dir.resolve("db"))) {
            int rounds = 300;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean done = new AtomicBoolean();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread th = new Thread(() -> {
                    try {
                        while (!done.get()) {
                            // Each commit writes both properties with the same round number.
                            List<Entry> recs = s.user(ALICE);
                            if (!recs.isEmpty()) {
                                assertEquals(2, recs.size());
                                assertArrayEquals(recs.get(0).value(), recs.get(1).value());
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                th.start();
                readers.add(th);
            }
            for (int i = 0; i < rounds; i++) {
                byte[] v = bytes("round" + i);
                s.update(w -> {
                    w.put(ALICE, "a", v);
                    w.put(ALICE, "b", v);
                });
            }
            done.set(true);
            for (Thread th : readers) {
                th.join(10_000);
            }
            if (failure.get() != null) {
                throw new AssertionError("a reader saw a torn write", failure.get());
            }
            assertArrayEquals(bytes("round" + (rounds - 1)), s.get(ALICE, "a").orElseThrow());
        }
    }
}
