package org.sasldb4j.auxprop.daemon;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A memory budget for password hashing. Argon2 needs its whole memory cost per verification, so
 * a burst of concurrent logins could exhaust the heap; each verification takes its cost from a
 * fair semaphore counted in KiB, and waits at most {@code queueTimeout} for it. The timeout is
 * well under Postfix's 10 s auth timeout so the client gets a clean temporary failure instead
 * of a dropped connection.
 */
final class WorkLimiter {
    private final Semaphore permits;
    private final int budgetKib;
    private final int costKib;
    private final Duration queueTimeout;
    /** For the metrics: time spent waiting for the budget, shares granted, waits that timed out. */
    private final LongAdder waitNanos = new LongAdder();
    private final LongAdder granted = new LongAdder();
    private final LongAdder timeouts = new LongAdder();

    /**
     * @param budgetKib total memory hashing may use at once, in KiB (at least 1)
     * @param costKib what one verification is assumed to take: the Argon2 memory cost of the
     *     store's hashes. Every plaintext verification pays it, since an unknown user costs a
     *     dummy verification of the same price and the stored scheme is not known beforehand.
     * @param queueTimeout longest wait for a share of the budget
     */
    WorkLimiter(int budgetKib, int costKib, Duration queueTimeout) {
        if (budgetKib < 1 || costKib < 1) {
            throw new IllegalArgumentException("the memory budget and cost must be positive");
        }
        this.budgetKib = budgetKib;
        this.costKib = costKib;
        this.permits = new Semaphore(budgetKib, true);
        this.queueTimeout = queueTimeout;
    }

    /** Takes the cost of one verification; see {@link #acquire(int)}. */
    Lease acquire() throws TemporaryFailureException {
        return acquire(costKib);
    }

    /**
     * Takes {@code costKib} (capped at the whole budget, so an expensive hash still runs, alone)
     * and returns the handle that gives it back.
     *
     * @throws TemporaryFailureException if the budget stays exhausted for the queue timeout, or
     *     the thread is interrupted
     */
    Lease acquire(int costKib) throws TemporaryFailureException {
        int cost = Math.max(1, Math.min(costKib, budgetKib));
        long start = System.nanoTime();
        try {
            if (!permits.tryAcquire(cost, queueTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                timeouts.increment();
                throw new TemporaryFailureException("password hashing queue full for " + queueTimeout.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TemporaryFailureException("interrupted while waiting for the hashing budget");
        } finally {
            waitNanos.add(System.nanoTime() - start);
        }
        granted.increment();
        return new Lease(cost);
    }

    /** The whole budget, in KiB. */
    int budgetKib() {
        return budgetKib;
    }

    /** KiB of the budget taken by verifications running now (a snapshot; cheap, takes no lock). */
    int inUseKib() {
        return budgetKib - permits.availablePermits();
    }

    /** Verifications waiting for a share of the budget now (an estimate, as the JDK's). */
    int queued() {
        return permits.getQueueLength();
    }

    /** Total time verifications spent waiting for the budget, granted or not, in nanoseconds. */
    long waitedNanos() {
        return waitNanos.sum();
    }

    /** Shares granted so far. */
    long grantedCount() {
        return granted.sum();
    }

    /** Waits that ended in a temporary failure because the budget stayed exhausted. */
    long timedOutCount() {
        return timeouts.sum();
    }

    /**
     * Takes {@code costKib} (capped at the whole budget) only if it is free now: for work that
     * is dropped rather than queued when the budget is busy (re-hashing at login).
     *
     * @return the share, or null if the budget is short now
     */
    Lease tryAcquire(int costKib) {
        int cost = Math.max(1, Math.min(costKib, budgetKib));
        return permits.tryAcquire(cost) ? new Lease(cost) : null;
    }

    /** A share of the budget; closing it twice gives it back once. */
    final class Lease implements AutoCloseable {
        private int cost;

        private Lease(int cost) {
            this.cost = cost;
        }

        @Override
        public void close() {
            int c;
            synchronized (this) {
                c = cost;
                cost = 0;
            }
            if (c > 0) {
                permits.release(c);
            }
        }
    }
}
