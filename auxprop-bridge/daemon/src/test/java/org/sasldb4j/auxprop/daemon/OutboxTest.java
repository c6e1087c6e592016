package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The outbox's promises: timers never block, one writer per connection, bounded queue, order kept. */
class OutboxTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService writers = Executors.newCachedThreadPool();
    private final Watchdog watchdog = new Watchdog(timer, Duration.ofMillis(20));

    @AfterEach
    void stop() {
        watchdog.close();
        timer.shutdownNow();
        writers.shutdownNow();
    }

    /** A channel whose writes block until released (a client that does not read), counting writers. */
    static final class StalledChannel implements WritableByteChannel {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final AtomicInteger concurrent = new AtomicInteger();
        volatile int maxConcurrent;
        volatile boolean open = true;

        @Override
        public int write(ByteBuffer src) throws IOException {
            maxConcurrent = Math.max(maxConcurrent, concurrent.incrementAndGet());
            try {
                entered.countDown();
                while (!release.await(10, TimeUnit.MILLISECONDS)) {
                    if (!open) {
                        throw new AsynchronousCloseException();
                    }
                }
                int n = src.remaining();
                byte[] b = new byte[n];
                src.get(b);
                synchronized (written) {
                    written.write(b, 0, n);
                }
                return n;
            } catch (InterruptedException e) {
                throw new AsynchronousCloseException();
            } finally {
                concurrent.decrementAndGet();
            }
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void postNeverBlocksWhileAWriteIsStuckAndOrderIsKept() throws Exception {
        StalledChannel ch = new StalledChannel();
        Outbox out = new Outbox(ch, watchdog.guard(ch), Duration.ofMinutes(5), writers, 1 << 20, () -> {});
        out.post(b("one\n"));
        ch.entered.await();
        // A writer thread is stuck in write(): posting more from this thread (a timer) only queues.
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 1000; i++) {
                out.post(b("more\n"));
            }
        });
        ch.release.countDown();
        CountDownLatch done = new CountDownLatch(1);
        out.post(b("last\n"));
        writers.execute(() -> {
            while (ch.written.size() < 4 + 1000 * 5 + 5) {
                Thread.onSpinWait();
            }
            done.countDown();
        });
        assertTrue(done.await(30, TimeUnit.SECONDS));
        String all = ch.written.toString(StandardCharsets.US_ASCII);
        assertTrue(all.startsWith("one\nmore\n") && all.endsWith("more\nlast\n"), all.substring(0, 20));
        assertEquals(1, ch.maxConcurrent, "one writer at a time");
    }

    @Test
    void theWriteTimeoutClosesAStuckChannelAndReportsOnce() throws Exception {
        StalledChannel ch = new StalledChannel();
        AtomicInteger failures = new AtomicInteger();
        CountDownLatch failed = new CountDownLatch(1);
        Outbox out = new Outbox(ch, watchdog.guard(ch), Duration.ofMillis(50), writers, 1 << 20, () -> {
            failures.incrementAndGet();
            failed.countDown();
        });
        out.post(b("stuck\n"));
        assertTrue(failed.await(30, TimeUnit.SECONDS), "the watchdog closed the channel");
        out.post(b("after\n"));
        out.send(b("after\n"));
        assertEquals(1, failures.get());
        assertEquals(0, ch.written.size());
    }

    @Test
    void tooMuchQueuedBehindAStuckWriteDisconnects() throws Exception {
        StalledChannel ch = new StalledChannel();
        AtomicInteger failures = new AtomicInteger();
        Outbox out = new Outbox(ch, watchdog.guard(ch), Duration.ofMinutes(5), writers, 100, failures::incrementAndGet);
        out.post(b("x".repeat(60)));
        ch.entered.await();
        out.post(b("y".repeat(60)));
        assertEquals(0, failures.get(), "60 bytes queued: within the bound");
        out.post(b("z".repeat(60)));
        assertEquals(1, failures.get(), "120 bytes queued: over the bound");
        ch.release.countDown();
    }

    @Test
    void sendWritesOnTheCallersThreadWhenIdle() throws Exception {
        StalledChannel ch = new StalledChannel();
        ch.release.countDown();
        Outbox out = new Outbox(ch, watchdog.guard(ch), Duration.ofMinutes(5), command -> {
            throw new AssertionError("no hand-off expected");
        }, 1 << 20, () -> {});
        out.send(b("now\n"));
        assertArrayEquals(b("now\n"), ch.written.toByteArray());
    }
}
