package org.sasldb4j.store;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The checks a store's files pass before any library opens them: the data file and its side
 * files (LMDB's {@code -lock}; SQLite's {@code -wal}, {@code -shm}, {@code -journal}).
 *
 * <ul>
 *   <li>The directories above them pass {@link SafeDirectories}.
 *   <li>A side file is never a symbolic link and is a regular file with one link; the LMDB lock
 *       file belongs to root, to us or to the data file's owner (in a shared directory: root or
 *       us).
 *   <li>A SQLite store's own directory may be writable by its group (not others): its readers
 *       must be able to create {@code -wal} and {@code -shm} there, and SQLite opens neither
 *       them nor (opened by sasldb4j) the database through a link.
 *   <li>The data file may be a link only where {@link SafeDirectories} trusts it; a zero-byte
 *       file about to become a store must be a regular file with one link, not a link (in a
 *       shared sticky directory also root's or ours), and is narrowed to
 *       {@code 0660 & ~umask} (it never keeps a wider mode).
 *   <li>The LMDB lock file is created here, without following links and with the data file's
 *       mode and group, before LMDB opens it (LMDB would follow a link).
 * </ul>
 */
final class StoreFiles {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private StoreFiles() {}

    /**
     * Checks the data file at {@code path} (which may be missing) and the directories above it.
     *
     * @param initialising true if a zero-byte file there is about to be written as a new store
     * @param sqlite true for a SQLite store: its directory may be writable by its group (the
     *     readers must create {@code -wal}/{@code -shm} there; SQLite never opens those, nor,
     *     opened by sasldb4j, the database, through a link)
     * @return the data file's location after following trusted links, with its status (null if missing)
     */
    static Checked checkData(Path path, boolean initialising, boolean sqlite) {
        String what = "the store " + path;
        SafeDirectories.Location named = SafeDirectories.locate(path, what, sqlite);
        SafeDirectories.Location data = SafeDirectories.locateFollowing(path, what, sqlite);
        FileStat s = SafeDirectories.stat(data.file());
        boolean viaLink = !data.equals(named);
        if (s == null) {
            if (viaLink) {
                throw new StoreException(path + " is a symbolic link to " + data.file() + ", which does not exist;"
                        + " refusing to create a store through a link. Create it at its real place: -f " + data.file());
            }
            return new Checked(path, named, data, null);
        }
        if (s.isDirectory()) {
            return new Checked(path, named, data, s); // the opener names it
        }
        if (!s.isRegular()) {
            throw new StoreException(data.file() + " is not a regular file; refusing to use it as a store");
        }
        if (data.shared()) {
            requireOurs(data.file(), s, what);
        }
        if (initialising && size(data.file()) == 0) {
            if (viaLink) {
                throw new UnsafePermissionsException(path + " is a symbolic link to the empty file " + data.file()
                        + "; refusing to make a store through a link. Initialise the file itself: -f " + data.file());
            }
            takeOverEmpty(data.file(), s);
        }
        return new Checked(path, named, data, s);
    }

    /**
     * The result of {@link #checkData}.
     *
     * @param given the path as given (libraries open it, and its side files, by this name)
     * @param named where the name given lives (side files are beside it)
     * @param data where the data really is
     * @param stat the data file's status, or null if it does not exist
     */
    record Checked(Path given, SafeDirectories.Location named, SafeDirectories.Location data, FileStat stat) {}

    /**
     * Checks the side files that exist; with {@code createLock}, creates a missing LMDB lock file.
     *
     * @throws UnsafePermissionsException naming a side file that is a link or someone else's
     */
    static void checkSideFiles(Checked data, List<String> suffixes, String lockSuffix) {
        FileStat d = SafeDirectories.stat(data.data().file());
        for (String suffix : suffixes) {
            SafeDirectories.Location side = data.named().sibling(suffix);
            FileStat s = present(side.file());
            if (s == null && suffix.equals(lockSuffix) && d != null) {
                createLock(side.file(), d);
                s = SafeDirectories.stat(side.file());
            }
            if (s != null) {
                requireSafeSideFile(side, s, d, suffix.equals(lockSuffix));
            }
        }
    }

    /**
     * The side file's status, or null when it does not exist. A status with no link at all is a
     * file another process removed while we looked (SQLite deletes its {@code -wal} at the last
     * close): looked at again, not refused as a planted hard link.
     */
    private static FileStat present(Path f) {
        FileStat s = SafeDirectories.stat(f);
        for (int i = 0; i < 3 && s != null && s.nlink() == 0; i++) {
            s = SafeDirectories.stat(f);
        }
        return s != null && s.nlink() == 0 ? null : s;
    }

    private static void requireSafeSideFile(SafeDirectories.Location side, FileStat s, FileStat data, boolean lock) {
        Path f = side.file();
        if (s.isLink()) {
            throw new UnsafePermissionsException(f + " is a symbolic link; a store's side file never is (someone"
                    + " may be trying to make this program overwrite another file). Remove it: rm " + f);
        }
        if (!s.isRegular()) {
            throw new UnsafePermissionsException(f + " is not a regular file; refusing to use it. Remove it: rm " + f);
        }
        if (s.nlink() != 1) {
            throw new UnsafePermissionsException(f + " has " + s.nlink() + " hard links; a store's side file has one"
                    + " (someone may be trying to make this program overwrite another file). Remove it: rm " + f);
        }
        // LMDB writes its lock table into the lock file as whoever runs; SQLite's side files are
        // made by whichever reader came first (smtpd's user), and SQLite checks them itself.
        boolean ownerOk = !lock || s.ownedByRootOrUs() || (!side.shared() && data != null && s.uid() == data.uid());
        if (!ownerOk) {
            throw new UnsafePermissionsException(f + " belongs to user " + s.uid() + ", who owns neither the store"
                    + " nor this process; refusing to use it. Remove it: rm " + f);
        }
    }

    private static void requireOurs(Path f, FileStat s, String what) {
        if (!s.ownedByRootOrUs()) {
            throw new UnsafePermissionsException(f + " belongs to user " + s.uid() + " and lies in a directory others"
                    + " can write; refusing to use it as " + what);
        }
        if (s.nlink() != 1) {
            throw new UnsafePermissionsException(f + " has " + s.nlink() + " hard links and lies in a directory"
                    + " others can write; refusing to use it as " + what);
        }
    }

    /**
     * A zero-byte file becomes a store: it must be plain (one link; in a shared directory, ours
     * or root's, checked before), and never keeps a mode wider than a new store's. Another
     * user's file in a safe directory was put there by root or by us (e.g. prepared with the
     * right owner), so it is accepted.
     */
    private static void takeOverEmpty(Path f, FileStat s) {
        if (s.nlink() != 1) {
            throw new UnsafePermissionsException(f + " is an empty file with " + s.nlink() + " hard links; refusing"
                    + " to turn it into a store. Remove it (rm " + f + ") and run again");
        }
        int mode = s.permissions() & ThisProcess.newFileMode();
        if (mode != s.permissions()) {
            setMode(f, mode);
        }
    }

    /**
     * Creates the LMDB lock file (never through a link: {@code O_CREAT|O_EXCL}) with the data
     * file's mode and group, since every reader must be able to write it. Another process
     * creating it first is fine; the caller checks what is there.
     */
    private static void createLock(Path lock, FileStat data) {
        Set<PosixFilePermission> perms = permissions(data.permissions() & 0660);
        try (SeekableByteChannel c = Files.newByteChannel(lock,
                EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(perms))) {
            // created empty; LMDB lays it out
        } catch (FileAlreadyExistsException e) {
            return;
        } catch (IOException e) {
            throw new StoreException("cannot create " + lock + ": " + StoreFormat.describe(e), e);
        }
        try {
            PosixFileAttributeView v = Files.getFileAttributeView(lock, PosixFileAttributeView.class, NOFOLLOW);
            v.setPermissions(perms); // the umask may have narrowed it; readers need the data file's mode
            if (!Integer.valueOf(data.gid()).equals(Files.getAttribute(lock, "unix:gid", NOFOLLOW))) {
                Files.setAttribute(lock, "unix:gid", data.gid(), NOFOLLOW);
            }
        } catch (IOException | RuntimeException e) {
            // Not a member of the data file's group: the lock keeps ours, as LMDB would have made it.
        }
    }

    private static void setMode(Path f, int mode) {
        try {
            Files.getFileAttributeView(f, PosixFileAttributeView.class, NOFOLLOW).setPermissions(permissions(mode));
        } catch (IOException e) {
            throw new StoreException("cannot set the mode of " + f + ": " + StoreFormat.describe(e), e);
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> p = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission x : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - x.ordinal()))) != 0) {
                p.add(x);
            }
        }
        return p;
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new StoreException("cannot read " + f + ": " + StoreFormat.describe(e), e);
        }
    }
}
