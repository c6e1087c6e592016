package org.sasldb4j.auxprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.lmdb.ReaderTable;
import org.sasldb4j.store.secret.PasswordVerifier.Outcome;
import org.sasldb4j.store.secret.SecretSet;

/**
 * Thousands of short-lived threads verifying through one bridge (a thread per connection, as
 * an embedding server might do): the LMDB reader slots of this process stay within the bound,
 * as LMDB's own reader table reports them.
 */
class BridgeReaderSlotsTest {
    @TempDir
    Path dir;

    @Test
    void thousandsOfShortLivedThreadsVerifyWithinTheReaderBound() throws Exception {
        TestStore store = TestStore.in(dir).put("alice", "vm", "userPassword", "alicepw");
        try (AuxpropBridge bridge = store.bridge(BridgeConfig.of("vm").withPolicy(SecretSet.PLAINTEXT))) {
            Executor perTask = r -> new Thread(r).start(); // Java 17 has no thread-per-task executor
            int tasks = 3000;
            Semaphore running = new Semaphore(100);
            CountDownLatch done = new CountDownLatch(tasks);
            AtomicInteger wrong = new AtomicInteger();
            for (int i = 0; i < tasks; i++) {
                running.acquire();
                boolean good = i % 2 == 0;
                perTask.execute(() -> {
                    try {
                        Outcome o = bridge.verify("alice", null, (good ? "alicepw" : "nope").toCharArray());
                        if ((o == Outcome.MATCH) != good) {
                            wrong.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        wrong.incrementAndGet();
                    } finally {
                        running.release();
                        done.countDown();
                    }
                });
            }
            assertTrue(done.await(5, TimeUnit.MINUTES));
            assertEquals(0, wrong.get(), "wrong or failed verifications");
            int mine = ReaderTable.ofThisProcess(store.path());
            assertTrue(mine <= ReaderTable.BOUND, "this process holds " + mine + " reader slots");
        }
    }
}
