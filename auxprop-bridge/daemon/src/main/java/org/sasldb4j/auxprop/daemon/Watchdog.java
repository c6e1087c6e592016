package org.sasldb4j.auxprop.daemon;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes channels whose peer stalls. Blocking reads and writes on UNIX-domain channels have no
 * timeout of their own (there is no {@code SO_TIMEOUT} for them), so every blocking operation
 * arms a {@link Guard} with a deadline; a periodic sweep closes the channel of any guard past
 * its deadline, which makes the blocked call fail with {@code AsynchronousCloseException}.
 */
final class Watchdog implements AutoCloseable {
    private final Set<Guard> guards = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> sweep;

    /** @param period how often deadlines are checked: the precision of every timeout */
    Watchdog(ScheduledExecutorService timer, Duration period) {
        long ms = Math.max(10, period.toMillis());
        this.sweep = timer.scheduleWithFixedDelay(this::sweep, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** A guard that closes {@code target} when armed past its deadline. Close the guard when done. */
    Guard guard(Closeable target) {
        Guard g = new Guard(target);
        guards.add(g);
        return g;
    }

    void sweep() {
        long now = System.nanoTime();
        for (Guard g : guards) {
            long d = g.deadline;
            if (d != 0 && now - d > 0) {
                g.fire();
            }
        }
    }

    @Override
    public void close() {
        sweep.cancel(false);
    }

    /** A deadline for one channel. Armed around each blocking call. */
    final class Guard implements AutoCloseable {
        private final Closeable target;
        private volatile long deadline;
        private volatile boolean fired;

        private Guard(Closeable target) {
            this.target = target;
        }

        /** Starts the clock; a zero or negative timeout means no deadline. */
        void arm(Duration timeout) {
            if (timeout.isZero() || timeout.isNegative()) {
                deadline = 0;
                return;
            }
            long d = System.nanoTime() + timeout.toNanos();
            deadline = d == 0 ? 1 : d;
        }

        void disarm() {
            deadline = 0;
        }

        /** True if this guard closed its channel. */
        boolean fired() {
            return fired;
        }

        private void fire() {
            deadline = 0;
            fired = true;
            try {
                target.close();
            } catch (IOException | RuntimeException e) {
                // Closing is best effort: the channel is being abandoned either way.
            }
        }

        @Override
        public void close() {
            guards.remove(this);
        }
    }
}
