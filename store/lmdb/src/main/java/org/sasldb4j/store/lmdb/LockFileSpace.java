package org.sasldb4j.store.lmdb;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import jnr.constants.platform.OpenFlags;
import org.sasldb4j.store.Libc;
import org.sasldb4j.store.StoreException;

/**
 * Gives LMDB's lock file real disk blocks before LMDB maps it.
 *
 * <p>Why: LMDB sizes {@code <store>-lock} with {@code ftruncate}, which makes a sparse file, and
 * then writes to it through {@code mmap}. On a full file system (a full tmpfs, a full
 * {@code /var}) the first write to an unbacked page is answered with SIGBUS, which kills the
 * whole JVM (a tool, or the daemon) instead of failing one call. With the blocks allocated first,
 * a full disk is an ordinary "no space left on device" error and nothing is touched.
 *
 * <p>A missing lock file is made complete (zeros, LMDB initialises it as the first opener) under a
 * temporary name and linked into place, so a process opening the store at the same moment never
 * sees a half-made file and an existing one is never overwritten. An existing lock file only gets
 * {@code posix_fallocate}, which fills holes without changing a byte, so it is safe while other
 * processes use the file; one shorter than LMDB's size (an empty file the opener created) is
 * extended to it with zeros, which LMDB initialises as the first opener.
 */
final class LockFileSpace {
    /** LMDB's lock file for 126 readers: 126 slots of 64 bytes plus its header (mdb.c, rsize). */
    static final int SIZE = 8192;
    private static final int ENOSPC = 28;
    private static final int EDQUOT = 122;

    private LockFileSpace() {}

    /**
     * @param store the data file, which exists
     * @param lock its lock file
     * @throws StoreException when the disk has no room for the lock file
     */
    static void reserve(Path store, Path lock) {
        if (!Files.exists(lock, LinkOption.NOFOLLOW_LINKS)) {
            createComplete(store, lock);
        } else if (Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS)) {
            fillHoles(store, lock);
        }
    }

    private static void createComplete(Path store, Path lock) {
        // An absolute path to a file always has a parent.
        Path dir = Objects.requireNonNull(lock.toAbsolutePath().getParent(), "parent of the lock file");
        Path tmp = dir.resolve("." + lock.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                out.write(new byte[SIZE]);
            }
            try {
                Files.createLink(lock, tmp);
            } catch (FileAlreadyExistsException e) {
                // Another process made it first: use theirs.
            } catch (UnsupportedOperationException | IOException e) {
                // No hard links here (some network file systems): leave the lock file to LMDB.
            }
        } catch (IOException e) {
            if (isNoSpace(e)) {
                throw noSpace(store);
            }
            // Anything else (a read-only directory...): LMDB reports it in its own words.
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                // nothing more to do
            }
        }
    }

    private static void fillHoles(Path store, Path lock) {
        Libc.Calls c = Libc.orNull();
        if (c == null) {
            return;
        }
        long size;
        try {
            size = Files.size(lock);
        } catch (IOException e) {
            return;
        }
        // A lock file still empty (created by the opener's O_EXCL step, so no process has sized it)
        // gets LMDB's full size here: LMDB would otherwise ftruncate it sparse and map it.
        long len = Math.max(size, SIZE);
        int fd = c.open(lock.toString(), OpenFlags.O_RDWR.intValue() | OpenFlags.O_NOFOLLOW.intValue()
                | OpenFlags.O_CLOEXEC.intValue(), 0);
        if (fd < 0) {
            return; // not ours to write (a reader without write access): LMDB decides
        }
        int rc;
        try {
            rc = c.posix_fallocate(fd, 0, len);
        } finally {
            c.close(fd);
        }
        if (rc == ENOSPC || rc == EDQUOT) {
            throw noSpace(store);
        }
    }

    private static StoreException noSpace(Path store) {
        return new StoreException("cannot open " + store + ": no space left on device (for its lock file);"
                + " free some space and retry");
    }

    private static boolean isNoSpace(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"));
    }
}
