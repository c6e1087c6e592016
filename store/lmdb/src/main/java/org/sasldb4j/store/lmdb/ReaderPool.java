package org.sasldb4j.store.lmdb;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;
import org.sasldb4j.store.StoreException;

/**
 * The read transactions of one environment: at most {@link #SIZE} of them, each with its cursor,
 * reset between reads and lent to whichever thread reads next.
 *
 * <p>Why a pool: every LMDB read transaction holds a slot in the lock file's reader table (126
 * slots, shared with every other process reading the file, Cyrus libsasl included) from its
 * first begin until it is aborted, reset or not. One transaction per thread kept for the
 * thread's life leaks a slot with every thread that ends (thread pools shrink and grow all day),
 * and a full table stops every reader of the file. The pool bounds this process's share to
 * {@value #SIZE} slots, whatever the number of threads; {@code MDB_NOTLS} lets any thread use
 * any transaction. Beginning a transaction and opening a cursor cost more than a lookup, so
 * they are reused, not made per read.
 *
 * <p>A thread that finds all of them lent waits up to {@link #WAIT_MILLIS} for one to come
 * back (a read holds one for microseconds; only a full listing holds one longer), then fails
 * with a {@link StoreException}, which callers such as sasldb-authd answer as a temporary
 * failure. Slots left by dead processes are reclaimed ({@code mdb_reader_check}) when the table
 * is full, then the transaction is begun once more.
 *
 * <p>Callers hold the environment's map lock (read side) while they borrow, use and give back a
 * reader, so with the write side held every reader is idle and reset.
 */
final class ReaderPool {
    /**
     * Reader slots one process holds at most on one file: a power of two, far below LMDB's 126 so
     * that Cyrus libsasl, {@code saslpasswd} and other processes always find free slots. Reads
     * take microseconds, so 16 serve far more concurrent logins than two or eight cores can make.
     */
    static final int SIZE = 16;
    /** Longest wait for a lent reader before a read fails. */
    static final long WAIT_MILLIS = 2000;

    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> dbi;
    private final Path path;
    private final AtomicReferenceArray<Reader> idle = new AtomicReferenceArray<>(SIZE);
    /** Readers in existence, lent or idle; never above {@link #SIZE}. */
    private final AtomicInteger created = new AtomicInteger();
    private final Object returned = new Object();
    private volatile int waiting;
    private final ThreadLocal<Lease> leases = ThreadLocal.withInitial(Lease::new);

    ReaderPool(Env<ByteBuffer> env, Dbi<ByteBuffer> dbi, Path path) {
        this.env = env;
        this.dbi = dbi;
        this.path = path;
    }

    /** A read transaction with its cursor. */
    static final class Reader {
        final Txn<ByteBuffer> txn;
        final Cursor<ByteBuffer> cursor;

        Reader(Txn<ByteBuffer> txn, Cursor<ByteBuffer> cursor) {
            this.txn = txn;
            this.cursor = cursor;
        }
    }

    /**
     * What one thread is doing with the pool: the reader it is using (so that a read inside a
     * read shares it instead of taking a second one) and where it last found one (so a single
     * thread finds its reader at the first try). Holds no LMDB resource: it dies with its thread.
     */
    static final class Lease {
        Reader current;
        int slot;
    }

    /** This thread's lease. */
    Lease lease() {
        return leases.get();
    }

    /** Readers in existence (lent or idle); for tests. */
    int size() {
        return created.get();
    }

    /**
     * An idle reader, renewed (sees everything committed now) with its cursor renewed.
     *
     * @throws Dbi.MapResizedException if another process grew the map: the reader is back in
     *     the pool, reset, and the caller adopts the new size and tries again
     * @throws StoreException if every reader stays lent for {@link #WAIT_MILLIS}, or the reader
     *     table is full of live processes' readers
     */
    Reader borrow(Lease lease) {
        Reader r = takeIdle(lease);
        if (r == null) {
            r = createOrWait(lease);
        }
        try {
            r.txn.renew();
        } catch (Dbi.MapResizedException e) {
            // lmdbjava leaves the transaction "done"; LMDB has ended it but kept its slot. Reset
            // makes it renewable once the map is adopted.
            r.txn.reset();
            putIdle(r, lease);
            throw e;
        } catch (LmdbException | IllegalStateException e) {
            discard(r);
            throw e;
        }
        try {
            r.cursor.renew(r.txn);
        } catch (LmdbException | IllegalStateException e) {
            discard(r);
            throw e;
        }
        return r;
    }

    /** Resets a reader after a read and makes it available again. */
    void giveBack(Reader r, Lease lease) {
        try {
            r.txn.reset();
        } catch (LmdbException | IllegalStateException e) {
            discard(r);
            return;
        }
        putIdle(r, lease);
    }

    /** Frees a reader that failed (its transaction may be unusable) and its slot. */
    void discard(Reader r) {
        close(r);
        created.decrementAndGet();
        signal();
    }

    /** Frees every reader; called with none lent (map lock held for writing), before the env closes. */
    void close() {
        for (int i = 0; i < SIZE; i++) {
            Reader r = idle.getAndSet(i, null);
            if (r != null) {
                close(r);
                created.decrementAndGet();
            }
        }
    }

    private Reader takeIdle(Lease lease) {
        int start = lease.slot;
        for (int i = 0; i < SIZE; i++) {
            int k = (start + i) & (SIZE - 1);
            Reader r = idle.get(k);
            if (r != null && idle.compareAndSet(k, r, null)) {
                lease.slot = k;
                return r;
            }
        }
        return null;
    }

    private void putIdle(Reader r, Lease lease) {
        // There is always a free place: at most SIZE readers exist, this one is not in the array.
        for (int i = lease.slot; ; i++) {
            int k = i & (SIZE - 1);
            if (idle.get(k) == null && idle.compareAndSet(k, null, r)) {
                lease.slot = k;
                break;
            }
        }
        signal();
    }

    private void signal() {
        if (waiting > 0) {
            synchronized (returned) {
                returned.notifyAll();
            }
        }
    }

    private Reader createOrWait(Lease lease) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (true) {
            int n = created.get();
            if (n < SIZE) {
                if (created.compareAndSet(n, n + 1)) {
                    return createCounted();
                }
                continue;
            }
            Reader r = awaitIdle(lease, deadline);
            if (r != null) {
                return r;
            }
            if (created.get() >= SIZE) {
                throw new StoreException("cannot read " + path + ": all " + SIZE + " read transactions of this process"
                        + " stayed busy for " + WAIT_MILLIS + " ms (long listings running?); try again");
            }
        }
    }

    /** Waits for a reader to come back; null on timeout or when one may be created instead. */
    private Reader awaitIdle(Lease lease, long deadline) {
        synchronized (returned) {
            waiting++;
            try {
                while (true) {
                    // Checked after announcing the wait: a reader given back before that was seen here,
                    // one given back after it finds waiting > 0 and notifies.
                    Reader r = takeIdle(lease);
                    if (r != null || created.get() < SIZE) {
                        return r;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    returned.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("cannot read " + path + ": interrupted while waiting for a read transaction");
            } finally {
                waiting--;
            }
        }
    }

    /** Creates a reader for a place already counted in {@link #created}. */
    private Reader createCounted() {
        try {
            Txn<ByteBuffer> txn = beginRead();
            try {
                Reader r = new Reader(txn, dbi.openCursor(txn));
                // Reset like an idle one, so every reader is renewed the same way when borrowed.
                txn.reset();
                return r;
            } catch (RuntimeException e) {
                txn.close();
                throw e;
            }
        } catch (RuntimeException e) {
            created.decrementAndGet();
            signal();
            throw e;
        }
    }

    /**
     * Begins a read transaction; when the reader table is full, first frees the slots of dead
     * processes (a killed mail server's, say) and tries once more.
     */
    private Txn<ByteBuffer> beginRead() {
        try {
            return env.txnRead();
        } catch (Env.ReadersFullException e) {
            env.readerCheck();
            return env.txnRead();
        }
    }

    private static void close(Reader r) {
        // lmdbjava aborts only a "ready" transaction; a reset or failed one would keep its slot.
        // Reset, then renew, brings it to "ready" from any state.
        try {
            r.txn.reset();
        } catch (LmdbException | IllegalStateException e) {
            // Already reset.
        }
        try {
            r.txn.renew();
        } catch (LmdbException | IllegalStateException e) {
            // Not renewable: closing the environment frees the slot.
        }
        try {
            r.cursor.close();
        } catch (LmdbException | IllegalStateException e) {
            // Closed with the transaction below.
        } finally {
            r.txn.close();
        }
    }
}
