package org.sasldb4j.store.lmdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;

/**
 * Threads come and go (thread pools, a thread per connection): the reader slots this process
 * holds on a file stay within {@link ReaderPool#SIZE}, counted by LMDB ({@code mdb_stat -rn} and
 * the table's high-water mark), not by the pool.
 */
class ReaderSlotBoundTest {
    @TempDir
    Path dir;

    private static final int USERS = 50;
    private static final int READS_PER_THREAD = 20;

    private Path store() {
        Path p = dir.resolve("sasldb");
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.create())) {
            s.update(w -> {
                for (int i = 0; i < USERS; i++) {
                    w.put(UserId.of("u" + i, "example.org"), "userPassword", ("pw" + i).getBytes(StandardCharsets.UTF_8));
                }
            });
        }
        return p;
    }

    @Test
    void thousandsOfShortLivedPlatformThreadsStayWithinTheBound() throws Exception {
        Path p = store();
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.readOnly())) {
            AtomicInteger wrong = new AtomicInteger();
            int batch = 64;
            for (int round = 0; round < 3000 / batch; round++) {
                CyclicBarrier together = new CyclicBarrier(batch);
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < batch; t++) {
                    int seed = round * batch + t;
                    Thread th = new Thread(() -> {
                        await(together);
                        readSome(s, seed, wrong);
                    });
                    th.start();
                    threads.add(th);
                }
                for (Thread th : threads) {
                    th.join();
                }
                if (round % 10 == 0) {
                    assertWithinBound(p);
                }
            }
            assertRightAndWithinBound(wrong, p, s);
        }
    }

    @Test
    void aThreadPerTaskExecutorStaysWithinTheBound() throws Exception {
        Path p = store();
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.readOnly())) {
            AtomicInteger wrong = new AtomicInteger();
            wrong.addAndGet(ThreadCrowd.run(3000, seed -> {
                readSome(s, seed, wrong);
                return true;
            }));
            assertRightAndWithinBound(wrong, p, s);
        }
    }

    @Test
    void aReaderWaitsForALentTransactionInsteadOfTakingAnotherSlot() throws Exception {
        Path p = store();
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.readOnly())) {
            CountDownLatch allInside = new CountDownLatch(ReaderPool.SIZE);
            CountDownLatch release = new CountDownLatch(1);
            List<Thread> listers = new ArrayList<>();
            for (int i = 0; i < ReaderPool.SIZE; i++) {
                // A listing holds its transaction until its action returns.
                Thread t = new Thread(() -> s.forEach(e -> {
                    allInside.countDown();
                    await(release);
                }, d -> { }));
                t.start();
                listers.add(t);
            }
            assertTrue(allInside.await(1, TimeUnit.MINUTES));
            assertEquals(ReaderPool.SIZE, ReaderTable.ofThisProcess(p), "every pooled reader lent");
            AtomicReference<Object> late = new AtomicReference<>();
            Thread reader = new Thread(() -> late.set(s.get(UserId.of("u1", "example.org"), "userPassword")
                    .map(v -> new String(v, StandardCharsets.UTF_8)).orElse("missing")));
            reader.start();
            release.countDown();
            reader.join();
            for (Thread t : listers) {
                t.join();
            }
            assertEquals("pw1", late.get());
            assertHighWaterWithinBound(s);
        }
    }

    /** A lookup inside a listing shares the listing's transaction: no second slot. */
    @Test
    void aReadInsideAReadTakesNoSecondSlot() throws Exception {
        Path p = store();
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.readOnly())) {
            AtomicInteger found = new AtomicInteger();
            s.forEach(e -> {
                if (s.get(UserId.of(e.authid(), e.realm()), "userPassword").isPresent()) {
                    found.incrementAndGet();
                }
            }, d -> { });
            assertEquals(USERS, found.get());
            assertEquals(1, ((LmdbStore) s).environment().pooledReaders());
        }
    }

    private static void readSome(CredentialStore s, int seed, AtomicInteger wrong) {
        for (int i = 0; i < READS_PER_THREAD; i++) {
            int u = (seed * 31 + i) % USERS;
            UserId id = UserId.of("u" + u, "example.org");
            boolean ok = (i & 1) == 0
                    ? s.get(id, "userPassword").map(v -> new String(v, StandardCharsets.UTF_8).equals("pw" + u)).orElse(false)
                    : s.user(id).size() == 1;
            if (!ok) {
                wrong.incrementAndGet();
            }
        }
    }

    /** The end of every crowd test: no read went wrong, and neither the table now nor its peak passed the bound. */
    private static void assertRightAndWithinBound(AtomicInteger wrong, Path p, CredentialStore s) throws Exception {
        assertEquals(0, wrong.get(), "reads with a wrong answer");
        assertWithinBound(p);
        assertHighWaterWithinBound(s);
    }

    private static void assertWithinBound(Path p) throws Exception {
        int mine = ReaderTable.ofThisProcess(p);
        assertTrue(mine <= ReaderPool.SIZE, "this process holds " + mine + " reader slots; bound " + ReaderPool.SIZE);
    }

    private static void assertHighWaterWithinBound(CredentialStore s) {
        int highWater = ((LmdbStore) s).environment().readerTableHighWater();
        assertTrue(highWater <= ReaderPool.SIZE, "reader table high-water mark " + highWater + "; bound " + ReaderPool.SIZE);
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await(1, TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(CountDownLatch l) {
        try {
            if (!l.await(1, TimeUnit.MINUTES)) {
                throw new IllegalStateException("latch not released");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
