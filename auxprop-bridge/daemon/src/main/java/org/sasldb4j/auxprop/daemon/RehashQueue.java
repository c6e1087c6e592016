package org.sasldb4j.auxprop.daemon;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.sasldb4j.auxprop.LoginRehash;

/**
 * Where {@code --rehash-on-login} jobs run: one thread of their own, a queue of at most
 * {@link #CAPACITY} jobs, and the daemon's hashing memory budget ({@link WorkLimiter}). A job
 * is dropped, never waited for, when the queue is full or the budget is short when its turn
 * comes: logins come first, and a dropped user is re-hashed at a later login. The login's
 * answer never waits for a job: the connection thread only enqueues it.
 *
 * <p><b>Security:</b> each queued job holds a copy of a password; a job dropped or left in the
 * queue at {@link #close()} is discarded, which wipes it.
 */
final class RehashQueue implements LoginRehash.Scheduler, AutoCloseable {
    /** Jobs waiting at most: a burst of logins beyond it is dropped, not queued. */
    static final int CAPACITY = 64;

    private final ThreadPoolExecutor worker;
    private final WorkLimiter limiter;
    private final int costKib;

    /**
     * @param limiter the daemon's hashing budget, or null for none
     * @param costKib memory one re-hash takes (the target's Argon2 memory cost; 1 without Argon2)
     */
    RehashQueue(WorkLimiter limiter, int costKib) {
        this.limiter = limiter;
        this.costKib = costKib;
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(CAPACITY), r -> {
            Thread t = new Thread(r, "authd-rehash");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    @Override
    public boolean offer(LoginRehash.Job job) {
        try {
            worker.execute(new Task(job));
            return true;
        } catch (RejectedExecutionException full) {
            return false;
        }
    }

    /** Jobs waiting now. */
    int waiting() {
        return worker.getQueue().size();
    }

    /**
     * Waits until every job queued before this call has run or been dropped (the worker takes
     * them in order). For tests; the queue must not be full.
     */
    void awaitQueued() throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        worker.execute(done::countDown);
        done.await();
    }

    /** One job under a share of the budget, or dropped when there is none now. */
    private final class Task implements Runnable {
        final LoginRehash.Job job;

        Task(LoginRehash.Job job) {
            this.job = job;
        }

        @Override
        public void run() {
            if (limiter == null) {
                job.run();
                return;
            }
            WorkLimiter.Lease lease = limiter.tryAcquire(costKib);
            if (lease == null) {
                job.discard();
                return;
            }
            try (lease) {
                job.run();
            }
        }
    }

    /** Stops the worker; jobs still waiting are discarded (wiped). */
    @Override
    public void close() {
        for (Runnable r : worker.shutdownNow()) {
            if (r instanceof Task t) {
                t.job.discard();
            }
        }
    }
}
