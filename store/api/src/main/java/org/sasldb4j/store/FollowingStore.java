package org.sasldb4j.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A store that follows the file at its path, as {@code tail -F} follows a log: for long-lived
 * readers (the auxprop bridge in {@code sasldb-authd}) whose store an administrator may replace
 * with a rename ({@code mv new sasldb2}), delete, or make unreadable while they run.
 *
 * <p>A background thread (one per process, shared) compares the path's device, inode, mode,
 * owner and group, and those of LMDB's lock file, with what was opened, every
 * {@code checkInterval}; reads cost one volatile read more than the plain store. When they
 * differ the store is reopened with the same {@link StoreOptions} (so the same permission
 * checks): the new file is served from then on. While the file is missing or cannot be opened
 * (unreadable, not a store, unsafe permissions), every read throws a {@link StoreException}
 * (a temporary failure for sasldb-authd), and the next change is tried again. Each change is
 * logged once, not per read.
 *
 * <p>The previous file is closed before the new one is opened: LMDB's lock file belongs to the
 * path, and one process must not have two environments on one lock file.
 *
 * <p>Thread-safe. Close it to stop following and release the file.
 */
public final class FollowingStore implements CredentialStore {
    private final Path path;
    private final StoreOptions options;
    private final Logger log;
    private volatile State state;
    private final ScheduledFuture<?> watch;
    private StoreFormat lastFormat;
    private boolean closed;

    /**
     * What reads use: an open store and the stamp it was opened with; or the failure reads get;
     * or, while switching files, a latch to wait on.
     */
    private record State(CredentialStore store, FileStamp stamp, StoreException failure, CountDownLatch switching) {
        static State serving(CredentialStore store, FileStamp stamp) {
            return new State(store, stamp, null, null);
        }

        static State failing(StoreException failure, FileStamp stamp) {
            return new State(null, stamp, failure, null);
        }
    }

    private FollowingStore(Path path, StoreOptions options, Logger log, CredentialStore first, FileStamp stamp,
            Duration checkInterval) {
        this.path = path;
        this.options = options;
        this.log = log;
        this.lastFormat = first.format();
        this.state = State.serving(first, stamp);
        long every = Math.max(1, checkInterval.toMillis());
        this.watch = Watcher.EXECUTOR.scheduleWithFixedDelay(this::checkQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the store at {@code path} (it must open now, as {@link CredentialStore#open} would)
     * and follows the file at that path from then on.
     *
     * @param checkInterval how often the path is compared with the open file
     * @param log where each change is reported (one line per change)
     * @throws StoreException as {@link CredentialStore#open}
     */
    public static FollowingStore open(Path path, StoreOptions options, Duration checkInterval, Logger log) {
        FileStamp stamp = FileStamp.readOrMissing(path); // before opening: a change in between is seen later
        CredentialStore first = CredentialStore.open(path, options);
        return new FollowingStore(path, options, log, first, stamp.withLockOf(path), checkInterval);
    }

    /**
     * Compares the path with the open file now, and switches or fails over if it changed (the
     * background thread does this every check interval).
     */
    public synchronized void check() {
        if (closed) {
            return;
        }
        FileStamp now = FileStamp.readOrMissing(path);
        State s = state;
        if (s.store != null && now.equals(s.stamp)) {
            return;
        }
        if (s.store == null && now.missing() && s.stamp != null && s.stamp.missing()) {
            return; // still missing; already said so
        }
        switchTo(s, now);
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            // A throwing task would never run again: keep following.
            log.log(Level.WARNING, "store " + path + ": checking for a replaced file failed: " + e);
        }
    }

    private void switchTo(State old, FileStamp now) {
        CountDownLatch switching = new CountDownLatch(1);
        state = new State(null, old.stamp, old.failure, switching);
        try {
            if (old.store != null) {
                try {
                    old.store.close(); // waits for reads in progress on it
                } catch (RuntimeException e) {
                    log.warning("store " + path + ": closing the previous file failed: " + e);
                }
            }
            if (now.missing()) {
                state = State.failing(new StoreNotFoundException(path + " is missing (deleted or renamed away);"
                        + " put a store back at this path"), now);
                log.warning("store " + path + " is missing (deleted or renamed away); answering temporary failure until"
                        + " a store is back at this path");
                return;
            }
            CredentialStore next;
            try {
                next = CredentialStore.open(path, options);
            } catch (RuntimeException opening) {
                StoreException e = opening instanceof StoreException se ? se
                        : new StoreException("cannot open " + path + ": " + opening, opening);
                state = State.failing(e, now);
                if (old.failure == null || !String.valueOf(old.failure.getMessage()).equals(e.getMessage())) {
                    log.warning("store " + path + " changed and cannot be opened: " + e.getMessage()
                            + "; answering temporary failure until it is fixed");
                }
                return;
            }
            lastFormat = next.format();
            state = State.serving(next, now.withLockOf(path));
            log.info("store " + path + (old.store == null ? " can be opened again; serving it"
                    : old.stamp != null && old.stamp.sameFiles(now) ? ": owner or mode changed; reopened with the permission check"
                    : " was replaced by another file; serving the new file"));
        } finally {
            if (state.switching == switching) {
                // Not reached normally: every path above leaves a serving or failing state.
                state = State.failing(new StoreException("cannot reopen " + path + "; try again"), null);
            }
            switching.countDown();
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public synchronized StoreFormat format() {
        return lastFormat;
    }

    @Override
    public Optional<byte[]> get(UserId user, String property) {
        State s = state;
        if (s.store != null) {
            try {
                return s.store.get(user, property);
            } catch (StoreException e) {
                if (state == s) {
                    throw e;
                }
            }
        }
        return withStore(st -> st.get(user, property));
    }

    @Override
    public List<Entry> user(UserId user) {
        State s = state;
        if (s.store != null) {
            try {
                return s.store.user(user);
            } catch (StoreException e) {
                if (state == s) {
                    throw e;
                }
            }
        }
        return withStore(st -> st.user(user));
    }

    @Override
    public void forEach(Consumer<? super Entry> action, Consumer<? super DamagedStoreException> onDamage) {
        withStore(st -> {
            st.forEach(action, onDamage);
            return null;
        });
    }

    @Override
    public <R> R write(Function<StoreWriter, R> work) {
        return withStore(st -> st.write(work));
    }

    /** The statistics of the file open now; {@link StoreStats#NONE} while none is (never waits). */
    @Override
    public StoreStats stats() {
        CredentialStore current = state.store;
        return current == null ? StoreStats.NONE : current.stats();
    }

    /**
     * Runs {@code op} on the current store; one that failed because the file was switched under
     * it runs again on the next (a few times at most).
     */
    private <R> R withStore(Function<CredentialStore, R> op) {
        for (int attempt = 0; ; attempt++) {
            State s = state;
            if (s.switching != null) {
                awaitSwitch(s.switching);
                continue;
            }
            if (s.store == null) {
                throw new StoreException(s.failure.getMessage(), s.failure);
            }
            try {
                return op.apply(s.store);
            } catch (StoreException e) {
                if (state == s || attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    private void awaitSwitch(CountDownLatch switching) {
        try {
            if (!switching.await(10, TimeUnit.SECONDS)) {
                throw new StoreException(path + " is being reopened; try again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(path + " is being reopened; interrupted");
        }
    }

    @Override
    public void close() {
        watch.cancel(false);
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (state.store != null) {
                state.store.close();
            }
        }
    }

    @Override
    public String toString() {
        return "FollowingStore[" + path + "]";
    }

    /** The one background thread of every following store in the process. */
    private static final class Watcher {
        static final ScheduledThreadPoolExecutor EXECUTOR = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sasldb4j-store-watch");
            t.setDaemon(true);
            return t;
        });

        static {
            EXECUTOR.setRemoveOnCancelPolicy(true);
        }
    }

    /**
     * Identity and access of the data file and its LMDB lock file, as {@code stat} reports them;
     * {@code data} null when the path does not exist.
     */
    record FileStamp(Map<String, Object> data, Map<String, Object> lock) {
        static FileStamp readOrMissing(Path path) {
            // The lock file's mode follows the data file's (PermissionPolicy): its identity is enough.
            return new FileStamp(dataAttributes(path), attributes(Path.of(path + "-lock"), "unix:dev,ino"));
        }

        /**
         * Identity and access of the data file, and whether it is empty: a zero-byte file opens
         * as an empty store, and becomes a real one in place when a writer initialises it.
         */
        private static Map<String, Object> dataAttributes(Path path) {
            Map<String, Object> a = attributes(path, "unix:dev,ino,mode,uid,gid,size");
            if (a == null || !a.containsKey("size")) {
                return a;
            }
            Map<String, Object> stamp = new java.util.HashMap<>(a);
            stamp.put("size", ((Number) a.get("size")).longValue() == 0 ? "empty" : "not empty");
            return stamp;
        }

        /** This stamp with the lock file as it is now: opening LMDB may have created it. */
        FileStamp withLockOf(Path path) {
            return new FileStamp(data, attributes(Path.of(path + "-lock"), "unix:dev,ino"));
        }

        private static Map<String, Object> attributes(Path p, String which) {
            try {
                return Files.readAttributes(p, which);
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                // Not even stat-able (a directory on the way lost its x bit): report it by opening.
                return Map.of("error", e.toString());
            }
        }

        boolean missing() {
            return data == null;
        }

        /** Same data and lock file (device and inode), whatever their mode and owner. */
        boolean sameFiles(FileStamp o) {
            return identity(data).equals(identity(o.data)) && identity(lock).equals(identity(o.lock));
        }

        private static List<Object> identity(Map<String, Object> a) {
            return a == null ? List.of() : java.util.Arrays.asList(a.get("dev"), a.get("ino"));
        }
    }
}
