package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The replies waiting to go out on one connection, so that no shared thread ever blocks on a
 * client that does not read.
 *
 * <p>The connection's own thread {@link #send sends}: it writes itself (the usual case, no
 * hand-off), after waiting for a writer thread that is busy with this connection, so a client that
 * does not read stops being read from. Timers {@link #post post}: they only queue, and a thread
 * of the writer pool flushes the queue. Either way at most one thread writes to a connection at a
 * time, so a stalled client holds at most one thread (its own, or one writer) until its write
 * guard fires after the I/O timeout and closes the channel. Queued bytes are bounded; a client
 * that lets more pile up is disconnected.
 */
final class Outbox {
    private final WritableByteChannel channel;
    private final Watchdog.Guard guard;
    private final Duration timeout;
    private final Executor writers;
    private final int maxQueuedBytes;
    private final Runnable onFailure;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private int queuedBytes;
    private boolean writing;
    private boolean closed;

    /**
     * @param guard armed around every write; fires (closes the channel) after {@code timeout}
     * @param writers runs flushes for {@link #post}; one task per connection at most
     * @param maxQueuedBytes most bytes that may wait behind a write in progress
     * @param onFailure called once when a write fails, times out or the queue overflows
     */
    Outbox(WritableByteChannel channel, Watchdog.Guard guard, Duration timeout, Executor writers, int maxQueuedBytes,
            Runnable onFailure) {
        this.channel = channel;
        this.guard = guard;
        this.timeout = timeout;
        this.writers = writers;
        this.maxQueuedBytes = maxQueuedBytes;
        this.onFailure = onFailure;
    }

    /**
     * From the connection's own thread: writes now, after any write under way (may block this
     * thread, until the write timeout closes the channel).
     */
    void send(byte[] bytes) {
        synchronized (this) {
            while (writing && !closed) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (enqueue(bytes)) {
            flush();
        }
    }

    /** From any other thread (timers): never blocks; a writer thread does the writing. */
    void post(byte[] bytes) {
        if (enqueue(bytes)) {
            try {
                writers.execute(this::flush);
            } catch (RejectedExecutionException e) {
                fail(); // shutting down
            }
        }
    }

    /** Drops whatever is queued; later sends are ignored. */
    void close() {
        synchronized (this) {
            closed = true;
            queue.clear();
            queuedBytes = 0;
            notifyAll();
        }
    }

    /** @return true if the caller must flush (nobody else is writing) */
    private boolean enqueue(byte[] bytes) {
        boolean overflow;
        synchronized (this) {
            if (closed) {
                return false;
            }
            overflow = queuedBytes + bytes.length > maxQueuedBytes;
            if (!overflow) {
                queue.add(bytes);
                queuedBytes += bytes.length;
                if (writing) {
                    return false;
                }
                writing = true;
                return true;
            }
        }
        fail();
        return false;
    }

    private void flush() {
        while (true) {
            byte[] next;
            synchronized (this) {
                next = closed ? null : queue.poll();
                if (next == null) {
                    writing = false;
                    notifyAll();
                    return;
                }
                queuedBytes -= next.length;
            }
            if (!writeFully(next)) {
                synchronized (this) {
                    writing = false;
                    notifyAll();
                }
                fail();
                return;
            }
        }
    }

    private boolean writeFully(byte[] bytes) {
        guard.arm(timeout);
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                channel.write(b);
            }
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            guard.disarm();
        }
    }

    private void fail() {
        boolean first;
        synchronized (this) {
            first = !closed;
            close();
        }
        if (first) {
            onFailure.run();
        }
    }
}
