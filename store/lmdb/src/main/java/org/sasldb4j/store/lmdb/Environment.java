package org.sasldb4j.store.lmdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.EnvInfo;
import org.lmdbjava.LmdbException;
import org.lmdbjava.LmdbNativeException;
import org.lmdbjava.Txn;
import org.sasldb4j.store.PermissionPolicy;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreStats;

/**
 * One open LMDB environment per data file per process, shared by every handle on that file.
 *
 * <p>LMDB must not be opened twice in one process: its locks are POSIX {@code fcntl} locks,
 * which belong to the process, so a second open believes it is alone and re-initialises the
 * lock file, and closing either one drops the locks of both. Handles therefore share this
 * object, counted; the environment closes with the last handle.
 *
 * <p>The map starts at twice the file size (at least {@link #MIN_MAP_SIZE}) and doubles whenever
 * a write finds it full; a map grown by another process is adopted when LMDB reports it.
 */
final class Environment {
    static final long MIN_MAP_SIZE = 64L << 20;
    private static final int FILE_MODE = 0660;
    private static final Map<Object, Environment> OPEN = new HashMap<>();

    private final Path path;
    private final Object fileKey;
    /** The lock file's identity when opened (null if unknown): one environment per lock file too. */
    private final Object lockKey;
    private final boolean readOnly;
    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> dbi;
    /** Transactions hold the read side; changing the map size needs none to be active. */
    private final ReentrantReadWriteLock mapLock = new ReentrantReadWriteLock();
    private int handles;
    /** Set under the map lock's write side when the last handle closes; read under its read side. */
    private boolean closed;
    /** The bounded set of reusable read transactions (see {@link ReaderPool}). */
    private final ReaderPool readers;

    private Environment(Path path, Object fileKey, boolean readOnly, Env<ByteBuffer> env, Dbi<ByteBuffer> dbi) {
        this.path = path;
        this.fileKey = fileKey;
        this.lockKey = existingFileKey(LmdbBackend.lockFile(path));
        this.readOnly = readOnly;
        this.env = env;
        this.dbi = dbi;
        this.readers = new ReaderPool(env, dbi, path);
    }

    /**
     * The environment of {@code path}, opened now or shared with the handles already open on the
     * same file (same device and inode, whatever the path).
     *
     * @throws StoreException if the file cannot be opened, or a read-write handle is asked for
     *     while the file is open read-only in this process
     */
    static Environment acquire(Path path, boolean readOnly) {
        Object key = fileKey(path);
        synchronized (OPEN) {
            Environment e = OPEN.get(key);
            if (e == null) {
                requireLockFileFree(path);
                // Read-write whenever this process may write the file, even for a read-only
                // handle (which the store refuses to write through): a writer opened later in the
                // same process, e.g. saslpasswd's code next to a bridge, must share this one.
                e = open(path, key, readOnly && !Files.isWritable(path));
                OPEN.put(key, e);
            } else if (e.readOnly && !readOnly) {
                throw new StoreException(path + " is open read-only in this process (this user may not write"
                        + " it); cannot open it for writing");
            }
            e.handles++;
            return e;
        }
    }

    /**
     * Refuses to open a data file whose lock file this process already uses for another data file:
     * the previous file at the same path, replaced by a rename while still open here. A second
     * environment on one lock file would re-initialise its reader table under the first (the
     * process already holds the lock, so LMDB believes it is alone), and closing either would
     * drop the locks of both.
     */
    private static void requireLockFileFree(Path path) {
        Path lock = LmdbBackend.lockFile(path);
        Object lockKey = existingFileKey(lock);
        if (lockKey == null) {
            return;
        }
        for (Environment other : OPEN.values()) {
            if (lockKey.equals(other.lockKey)) {
                throw new StoreException("cannot open " + path + " yet: the file it replaced (" + other.path
                        + ") is still open in this process and uses the same lock file " + lock
                        + "; it opens once that is closed");
            }
        }
    }

    private static Object existingFileKey(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** Gives back one handle; the last one closes the environment. */
    void release() {
        synchronized (OPEN) {
            if (--handles > 0) {
                return;
            }
            OPEN.remove(fileKey);
        }
        mapLock.writeLock().lock();
        try {
            closed = true;
            readers.close();
            env.close();
        } finally {
            mapLock.writeLock().unlock();
        }
    }

    /** Work on a read transaction and a cursor positioned nowhere yet. */
    @FunctionalInterface
    interface ReadWork<R> {
        R apply(Txn<ByteBuffer> txn, Cursor<ByteBuffer> cursor);
    }

    /**
     * Runs read-only work on a pooled read transaction, which sees everything committed before
     * the call; adopts a map grown by another process and retries. A read inside a read on the
     * same thread (a lookup from a listing's action) shares the outer transaction's snapshot with
     * a cursor of its own, so it needs no second reader slot.
     */
    <R> R read(ReadWork<R> work) {
        ReaderPool.Lease lease = readers.lease();
        if (lease.current != null) {
            return nestedRead(lease.current, work);
        }
        while (true) {
            mapLock.readLock().lock();
            ReaderPool.Reader r = null;
            try {
                checkOpen();
                r = readers.borrow(lease);
                lease.current = r;
                return work.apply(r.txn, r.cursor);
            } catch (Dbi.MapResizedException e) {
                // The reader is back in the pool (or never left it); adopt the size below.
            } catch (LmdbException e) {
                if (r != null) {
                    readers.discard(r);
                    r = null;
                }
                throw failure("cannot read", path, e);
            } finally {
                lease.current = null;
                if (r != null) {
                    readers.giveBack(r, lease);
                }
                mapLock.readLock().unlock();
            }
            resizeMap(false);
        }
    }

    private <R> R nestedRead(ReaderPool.Reader outer, ReadWork<R> work) {
        try (Cursor<ByteBuffer> c = dbi.openCursor(outer.txn)) {
            return work.apply(outer.txn, c);
        } catch (LmdbException e) {
            throw failure("cannot read", path, e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreException(path + ": this store was closed");
        }
    }

    /** Readers of this process's pool on this file (lent or idle); for tests. */
    int pooledReaders() {
        return readers.size();
    }

    /**
     * Slots of the file's reader table in use now or before, by any process: LMDB's own count,
     * which only grows (freed slots are reused first); for tests.
     */
    int readerTableHighWater() {
        mapLock.readLock().lock();
        try {
            checkOpen();
            return env.info().numReaders;
        } finally {
            mapLock.readLock().unlock();
        }
    }

    /**
     * Map use and reader table, from LMDB's own counters ({@code mdb_env_info}, {@code
     * mdb_env_stat}: no transaction, no lock of the file). Waits at most {@code STATS_WAIT_MILLIS}
     * for a map resize in progress, then gives nothing rather than delay the caller.
     */
    StoreStats stats() {
        try {
            if (!mapLock.readLock().tryLock(STATS_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                return StoreStats.NONE;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return StoreStats.NONE;
        }
        try {
            if (closed) {
                return StoreStats.NONE;
            }
            EnvInfo info = env.info();
            long pageSize = env.stat().pageSize;
            return new StoreStats(OptionalLong.of((info.lastPageNumber + 1) * pageSize), OptionalLong.of(info.mapSize),
                    OptionalInt.of(info.numReaders), OptionalInt.of(info.maxReaders));
        } catch (LmdbException e) {
            return StoreStats.NONE;
        } finally {
            mapLock.readLock().unlock();
        }
    }

    /** Longest wait of {@link #stats} for a map resize to end. */
    private static final long STATS_WAIT_MILLIS = 100;

    Path path() {
        return path;
    }

    Dbi<ByteBuffer> dbi() {
        return dbi;
    }

    /**
     * Runs work in one transaction (committed if {@code write}), growing the map and retrying
     * when it is full, and adopting a map grown by another process.
     */
    <R> R inTransaction(boolean write, Function<Txn<ByteBuffer>, R> work) {
        while (true) {
            boolean grow;
            mapLock.readLock().lock();
            try (Txn<ByteBuffer> txn = beginFor(write)) {
                R result = work.apply(txn);
                if (write) {
                    txn.commit();
                }
                return result;
            } catch (Env.MapFullException e) {
                grow = true;
            } catch (Dbi.MapResizedException e) {
                grow = false;
            } catch (LmdbException e) {
                throw failure(write ? "cannot write to" : "cannot read", path, e);
            } finally {
                mapLock.readLock().unlock();
            }
            resizeMap(grow);
        }
    }

    private Txn<ByteBuffer> beginFor(boolean write) {
        checkOpen();
        return write ? env.txnWrite() : env.txnRead();
    }

    /** Doubles the map, or (grow false) adopts the size another process recorded in the file. */
    private void resizeMap(boolean grow) {
        mapLock.writeLock().lock();
        try {
            // Every pooled reader is idle and reset (no snapshot, no page held): LMDB allows the
            // new mapping under them, and they renew on it.
            checkOpen();
            env.setMapSize(grow ? env.info().mapSize * 2 : 0);
        } catch (LmdbException e) {
            throw failure("cannot resize the map of", path, e);
        } finally {
            mapLock.writeLock().unlock();
        }
    }

    private static Environment open(Path path, Object key, boolean readOnly) {
        NativeLibrary.preferSystem();
        // Before LMDB maps the lock file: on a full disk a sparse one would kill the JVM (SIGBUS).
        Path lock = LmdbBackend.lockFile(path);
        if (!readOnly || Files.exists(lock, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            LockFileSpace.reserve(path, lock);
        }
        Env<ByteBuffer> env;
        try {
            // MDB_NOTLS: reader slots belong to transactions, not threads (see ReaderPool).
            EnvFlags[] flags = readOnly
                    ? new EnvFlags[] {EnvFlags.MDB_NOSUBDIR, EnvFlags.MDB_NOTLS, EnvFlags.MDB_RDONLY_ENV}
                    : new EnvFlags[] {EnvFlags.MDB_NOSUBDIR, EnvFlags.MDB_NOTLS};
            env = Env.create()
                    .setMapSize(mapSizeFor(sizeOf(path)))
                    .setMaxReaders(126)
                    .open(path.toFile(), FILE_MODE, flags);
        } catch (LmdbException e) {
            throw failure("cannot open", path, e);
        }
        try {
            // Slots left in the reader table by dead processes (a SIGKILLed reader) stay taken
            // until someone checks; a table full of them would refuse every reader.
            env.readerCheck();
            if (!readOnly) {
                PermissionPolicy.alignSideFile(path, LmdbBackend.lockFile(path));
            }
            Dbi<ByteBuffer> dbi;
            // A read transaction: a read-only environment cannot begin a write one (lmdbjava #8).
            try (Txn<ByteBuffer> txn = env.txnRead()) {
                dbi = env.openDbi(txn, null, null, false);
                txn.commit();
            }
            return new Environment(path, key, readOnly, env, dbi);
        } catch (LmdbException | StoreException e) {
            env.close();
            throw e instanceof StoreException se ? se : failure("cannot open", path, e);
        }
    }

    static long mapSizeFor(long fileSize) {
        long want = Math.max(MIN_MAP_SIZE, fileSize * 2);
        return (want + 0xFFFFF) & ~0xFFFFFL;
    }

    private static Object fileKey(Path path) {
        try {
            Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            return key != null ? key : path.toRealPath();
        } catch (IOException e) {
            throw new StoreException("cannot open " + path + ": " + e.getMessage(), e);
        }
    }

    private static long sizeOf(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Whether {@code path} has reached this process's file-size limit (RLIMIT_FSIZE). */
    static boolean atFileSizeLimit(Path path) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max file size")) {
                    String soft = line.substring("Max file size".length()).trim().split("\\s+")[0];
                    return !soft.equals("unlimited") && Files.size(path) + 65536 >= Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: say EIO
        }
        return false;
    }

    static StoreException failure(String what, Path path, Exception e) {
        String reason = e.getMessage();
        if (e instanceof LmdbNativeException n) {
            reason = switch (n.getResultCode()) {
                case 13 -> "permission denied";
                case 2 -> "no such file";
                case 28 -> "no space left on device";
                case 27 -> "file too large: the file size limit (ulimit -f) does not let the store grow";
                case 122 -> "disk quota exceeded";
                // LMDB turns a short write into EIO; a file-size limit (ulimit -f) is what makes one.
                case 5 -> atFileSizeLimit(path)
                        ? "the file size limit (ulimit -f) does not let the store grow; raise it and retry"
                        : "input/output error (EIO); check the disk and the kernel log";
                case 30 -> "read-only file system";
                case -30793 -> "not an LMDB file or a different LMDB version (MDB_INVALID)";
                case -30794 -> "the LMDB version of the file does not match (MDB_VERSION_MISMATCH)";
                case -30796 -> "the file is corrupted (MDB_CORRUPTED)";
                case -30795 -> "LMDB fatal error (MDB_PANIC): restart and check the file with mdb_stat";
                case -30790 -> "the LMDB reader table is full (MDB_READERS_FULL): other live processes hold its"
                        + " slots; list them with mdb_stat -rn " + path;
                default -> reason;
            };
        }
        return new StoreException(what + " " + path + ": " + reason, e);
    }
}
