package org.sasldb4j.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The one file-permission policy every opener uses.
 *
 * <ul>
 *   <li>A new store is created with mode {@code 0660 & ~umask}, never accessible to others
 *       (Cyrus: {@code 0660 & ~umask}, which a umask of 0 makes world-free only by chance).
 *   <li>Side files (LMDB's {@code -lock}, SQLite's {@code -wal}/{@code -shm}) get the data
 *       file's mode and group, because every reader must be able to write the LMDB lock file.
 *   <li>An existing store is changed in place: inode, owner, group and mode are kept; but a
 *       zero-byte file about to become a store is narrowed to {@code 0660 & ~umask}.
 *   <li>No side file is ever a symbolic link, and no mode or group is changed through one;
 *       the directories above a store pass {@link SafeDirectories} (see {@code StoreFiles}).
 *   <li>Opening a store to read secrets refuses any of its files that others may read or write.
 * </ul>
 */
public final class PermissionPolicy {

    /** The mode requested for new files; the process umask then applies. */
    public static final Set<PosixFilePermission> NEW_FILE_MODE =
            PosixFilePermissions.fromString("rw-rw----");

    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PermissionPolicy() {}

    /** The attribute to pass when creating a store file. */
    public static FileAttribute<Set<PosixFilePermission>> newFileAttribute() {
        return PosixFilePermissions.asFileAttribute(NEW_FILE_MODE);
    }

    /** The mode in octal, e.g. {@code 0640}. */
    public static String octal(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission p : perms) {
            mode |= 1 << (8 - p.ordinal());
        }
        return String.format("0%03o", mode);
    }

    /**
     * Removes any access for others from a file this process just created (a umask of 0, or a
     * library that ignores the requested mode, must not leave a store world-accessible).
     */
    public static void restrictNew(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (perms.removeAll(OTHERS)) {
                Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setPermissions(perms);
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw new StoreException("cannot set the mode of " + file + ": " + StoreFormat.describe(asIo(e)), e);
        }
    }

    /**
     * Gives a side file the data file's mode and group, where they differ and this process may
     * change them. A side file this process cannot change (owned by another user) is left as is:
     * its owner made it. A side file that is a symbolic link is never changed, nor anything it
     * points to: the opener refuses such links before a library opens them.
     */
    public static void alignSideFile(Path data, Path side) {
        try {
            PosixFileAttributes s = Files.readAttributes(side, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!s.isRegularFile()) {
                return;
            }
            PosixFileAttributes d = Files.readAttributes(data, PosixFileAttributes.class);
            PosixFileAttributeView view = Files.getFileAttributeView(side, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!s.permissions().equals(d.permissions())) {
                view.setPermissions(d.permissions());
            }
            GroupPrincipal group = d.group();
            if (!s.group().equals(group)) {
                view.setGroup(group);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Missing, or not ours to change (another user created it); the secrets check still applies.
        }
    }

    /**
     * Refuses files that other users may read or write.
     *
     * @throws UnsafePermissionsException naming the first such file, its mode and the fix
     */
    public static void requireSafeForSecrets(List<Path> files) {
        for (Path f : files) {
            if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Set<PosixFilePermission> perms;
            try {
                perms = Files.getPosixFilePermissions(f);
            } catch (IOException | UnsupportedOperationException e) {
                throw new StoreException("cannot read the mode of " + f + ": " + StoreFormat.describe(asIo(e)), e);
            }
            if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new UnsafePermissionsException(f + " has mode " + octal(perms)
                        + ", so every local user can read or change the passwords in it; refusing to use it."
                        + " Fix it with: chmod o-rwx " + f);
            }
        }
    }

    private static IOException asIo(Exception e) {
        return e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
}
