package org.sasldb4j.store.lmdb;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * Thousands of short-lived threads, a new one per task as a thread-per-connection server makes
 * them: the crowd the reader-slot tests send at a store (ReaderSlotBoundTest) or a bridge
 * (BridgeReaderSlotsTest, through this module's test-jar).
 */
public final class ThreadCrowd {
    /** Tasks alive at once at the most: enough to outnumber the reader slots many times. */
    private static final int RUNNING = 100;

    private ThreadCrowd() {}

    /**
     * Runs {@code task} on 0 .. tasks-1, each on its own new thread, and waits for all.
     *
     * @return how many tasks answered false or threw
     */
    public static int run(int tasks, IntPredicate task) throws InterruptedException {
        Executor perTask = r -> new Thread(r).start(); // Java 17 has no newThreadPerTaskExecutor
        Semaphore running = new Semaphore(RUNNING);
        CountDownLatch done = new CountDownLatch(tasks);
        AtomicInteger wrong = new AtomicInteger();
        for (int i = 0; i < tasks; i++) {
            running.acquire();
            int n = i;
            perTask.execute(() -> {
                try {
                    if (!task.test(n)) {
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
        assertTrue(done.await(5, TimeUnit.MINUTES), "the crowd's tasks did not finish");
        return wrong.get();
    }
}
