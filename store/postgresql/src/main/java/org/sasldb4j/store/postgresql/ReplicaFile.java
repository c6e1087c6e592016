package org.sasldb4j.store.postgresql;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.sasldb4j.store.Backend;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreFormat;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.StoreStats;
import org.sasldb4j.store.StoreWriter;
import org.sasldb4j.store.UserId;

/**
 * The LMDB replica file (Cyrus layout, written through the LMDB backend) and the read-only view
 * of it that logins use. The replica's follower is its only writer; a full copy is written to
 * {@code <replica>.copying}, then renamed over the replica between two reads: readers see the old
 * copy or the new one, never half of one.
 *
 * <p>One LMDB environment per file and process: the view and the follower share the open store,
 * and a swap closes it (waiting for reads in progress) before the renamed file is opened, as
 * LMDB's lock file {@code <replica>-lock} belongs to the path.
 */
final class ReplicaFile implements AutoCloseable {
    private static final StoreOptions OPEN = new StoreOptions(StoreOptions.Access.READ_WRITE, Backend.LMDB, true);

    private final Path path;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private CredentialStore current;
    private StoreException broken;
    private boolean closed;

    private ReplicaFile(Path path, CredentialStore current) {
        this.path = path;
        this.current = current;
    }

    /** Opens the existing replica at {@code path} (permission check for secrets, as any store). */
    static ReplicaFile open(Path path) {
        return new ReplicaFile(path, CredentialStore.open(path, OPEN));
    }

    /** A replica made from a fresh copy at {@link #copyPath}: renamed into place, then opened. */
    static ReplicaFile install(Path path) {
        moveCopyInPlace(path);
        return open(path);
    }

    Path path() {
        return path;
    }

    /** Where a full copy is written before it replaces the replica. */
    static Path copyPath(Path replica) {
        return Path.of(replica + ".copying");
    }

    /**
     * Starts a new, empty copy at {@link #copyPath}, with the replica's owner, group and mode
     * when there is a replica (an administrator may have given a local Cyrus's group read
     * access), else {@code 0600}. Leftovers of an interrupted copy are removed first.
     */
    static CredentialStore startCopy(Path replica) {
        Path copy = copyPath(replica);
        try {
            Files.deleteIfExists(copy);
            Files.deleteIfExists(Path.of(copy + "-lock"));
            Files.createFile(copy, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            if (Files.exists(replica, LinkOption.NOFOLLOW_LINKS)) {
                PosixFileAttributes a = Files.readAttributes(replica, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                PosixFileAttributeView v = Files.getFileAttributeView(copy, PosixFileAttributeView.class);
                try {
                    v.setGroup(a.group());
                    v.setOwner(a.owner());
                } catch (IOException e) {
                    // Not root: the copy is ours, as the replica written by us was.
                }
                v.setPermissions(a.permissions());
            }
        } catch (IOException e) {
            throw new StoreException("cannot create " + copy + " for a copy of the database: " + e.getMessage()
                    + "; give the daemon write access to the replica's directory", e);
        }
        // A zero-byte file is initialised in place, keeping the owner and mode just given.
        return CredentialStore.open(copy, new StoreOptions(StoreOptions.Access.CREATE, Backend.LMDB, true));
    }

    /** Renames a finished copy (closed) over the replica and drops the copy's lock file. */
    private static void moveCopyInPlace(Path replica) {
        Path copy = copyPath(replica);
        try {
            try {
                Files.move(copy, replica, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(copy, replica, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.deleteIfExists(Path.of(copy + "-lock"));
        } catch (IOException e) {
            throw new StoreException("cannot rename " + copy + " to " + replica + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces the served file with the finished copy at {@link #copyPath}: waits for reads in
     * progress, closes the old file, renames, opens the new one. If the new file cannot be
     * opened, reads fail (a temporary failure) until the next copy.
     */
    void replaceWithCopy() {
        lock.writeLock().lock();
        try {
            if (current != null) {
                current.close();
                current = null;
            }
            moveCopyInPlace(path);
            try {
                current = CredentialStore.open(path, OPEN);
                broken = null;
            } catch (StoreException e) {
                broken = e;
                throw e;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Runs {@code op} on the open file, under the read lock (a swap waits for it). */
    <R> R with(Function<CredentialStore, R> op) {
        lock.readLock().lock();
        try {
            if (current == null) {
                throw closed ? new StoreException("the replica " + path + " is closed")
                        : new StoreException("the replica " + path + " cannot be opened: "
                                + (broken == null ? "being replaced" : broken.getMessage()) + "; try again", broken);
            }
            return op.apply(current);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The read-only view logins use; closing it does nothing (the replica owns the file). */
    CredentialStore view() {
        return new View();
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
            if (current != null) {
                current.close();
                current = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private final class View implements CredentialStore {
        @Override
        public Path path() {
            return path;
        }

        @Override
        public StoreFormat format() {
            return StoreFormat.LMDB;
        }

        @Override
        public Optional<byte[]> get(UserId user, String property) {
            return with(s -> s.get(user, property));
        }

        @Override
        public List<Entry> user(UserId user) {
            return with(s -> s.user(user));
        }

        @Override
        public void forEach(Consumer<? super Entry> action, Consumer<? super DamagedStoreException> onDamage) {
            with(s -> {
                s.forEach(action, onDamage);
                return null;
            });
        }

        @Override
        public <R> R write(Function<StoreWriter, R> work) {
            throw new StoreException("the replica " + path + " is read-only: change the users in the database;"
                    + " the replica follows it");
        }

        @Override
        public StoreStats stats() {
            lock.readLock().lock();
            try {
                return current == null ? StoreStats.NONE : current.stats();
            } finally {
                lock.readLock().unlock();
            }
        }

        @Override
        public void close() {
            // The replica owns the file; a reload of the daemon closes views, not the replica.
        }

        @Override
        public String toString() {
            return "replica " + path;
        }
    }
}
