package org.sasldb4j.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks every directory that decides what a file name means, the way OpenSSH's StrictModes
 * does, so that nobody but root and this process's user can swap the file, or a file beside it,
 * for a link to something else.
 *
 * <p>The path is resolved one component at a time from {@code /}, without trusting the kernel
 * to follow links; each directory on the way must be
 * <ul>
 *   <li>owned by root or by this process's effective user, and
 *   <li>not writable by its group or by others, unless it has the sticky bit ({@code /tmp}):
 *       there others may add entries but not rename or remove ours, so an entry that is used
 *       must then be owned by root or by us (like the kernel's {@code protected_symlinks}).
 * </ul>
 * A symbolic link is followed only if the directory holding it passed (then only root or we
 * made it), or, in a sticky shared directory, if root or we own it.
 *
 * <p>An administrator who accepts the risk may list directories in the environment variable
 * {@value #TRUSTED_ENV} (or the system property {@value #TRUSTED_PROPERTY}), separated by
 * {@code :}; their owner and mode are then not checked (the checks of the files in them still
 * apply).
 *
 * <p>Security: this is the defence against a local user who can write a store's directory
 * making root write, chmod or chgrp another file through a planted link: LMDB itself opens
 * {@code <store>-lock} following links, so no check of the file alone can close the race.
 */
public final class SafeDirectories {
    /** Environment variable listing directories whose owner and mode are not checked. */
    public static final String TRUSTED_ENV = "SASLDB4J_TRUSTED_DIRS";
    /** System property, same meaning as {@link #TRUSTED_ENV}, for embedding applications. */
    public static final String TRUSTED_PROPERTY = "sasldb4j.trustedDirs";
    private static final int MAX_LINKS = 40;

    private SafeDirectories() {}

    /**
     * Where a name lives once every directory above it was checked.
     *
     * @param directory the real path of the directory holding the entry
     * @param name the entry's name in it
     * @param shared true if others may add entries to the directory (sticky, or trusted
     *     although writable): entries used there must be owned by root or by us
     */
    public record Location(Path directory, String name, boolean shared) {
        public Path file() {
            return directory.resolve(name);
        }

        /** The entry {@code name + suffix} in the same directory, e.g. the LMDB lock file. */
        public Location sibling(String suffix) {
            return new Location(directory, name + suffix, shared);
        }
    }

    /**
     * Checks the directories above {@code file} (not the file itself).
     *
     * @param what words for messages, e.g. "the store /etc/sasldb2"
     * @throws UnsafePermissionsException naming a directory someone else could change, and the fix
     * @throws StoreException if a directory does not exist or cannot be read
     */
    public static Location locate(Path file, String what) {
        return locate(file, what, false);
    }

    /**
     * Like {@link #locate(Path, String)}; with {@code groupMayWrite}, the directory holding the
     * entry may be writable by its group (never by others). Only for files no library opens
     * through a link (SQLite opens its side files with {@code O_NOFOLLOW}, and sasldb4j opens
     * the database with {@code SQLITE_OPEN_NOFOLLOW}), whose readers must be able to create
     * files there.
     */
    public static Location locate(Path file, String what, boolean groupMayWrite) {
        Path abs = file.toAbsolutePath();
        Path name = abs.getFileName();
        if (name == null) {
            throw new StoreException(file + " is a directory, not a file");
        }
        Deque<String> todo = new ArrayDeque<>();
        Path parent = abs.getParent();
        if (parent != null) {
            parent.forEach(c -> todo.add(c.toString()));
        }
        Path root = Objects.requireNonNull(abs.getRoot(), "an absolute path has a root");
        return walk(root, todo, name.toString(), what, groupMayWrite);
    }

    /**
     * Like {@link #locate}, and if the entry itself is a symbolic link, follows it (and any
     * further links) with the same checks, returning where the data really lives.
     */
    public static Location locateFollowing(Path file, String what) {
        return locateFollowing(file, what, false);
    }

    /** {@link #locateFollowing(Path, String)} with the rule of {@link #locate(Path, String, boolean)}. */
    public static Location locateFollowing(Path file, String what, boolean groupMayWrite) {
        Location loc = locate(file, what, groupMayWrite);
        for (int links = 0; ; links++) {
            FileStat s = stat(loc.file());
            if (s == null || !s.isLink()) {
                return loc;
            }
            if (links == MAX_LINKS) {
                throw new StoreException(file + ": too many levels of symbolic links");
            }
            requireTrustedLink(loc.file(), s, loc.shared(), what);
            Path target = readLink(loc.file());
            loc = locate(loc.directory().resolve(target), what, groupMayWrite);
        }
    }

    private static Location walk(Path root, Deque<String> todo, String name, String what, boolean groupMayWrite) {
        Path cur = root;
        FileStat curStat = checkedDirectory(cur, what);
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                // Every ancestor of a real path already passed on the way down.
                Path up = cur.getParent();
                if (up != null) {
                    cur = up;
                    curStat = stat(cur);
                }
                continue;
            }
            Path next = cur.resolve(c);
            FileStat s = stat(next);
            if (s == null) {
                throw new StoreException("directory " + next + " does not exist");
            }
            if (s.isLink()) {
                if (++links > MAX_LINKS) {
                    throw new StoreException(next + ": too many levels of symbolic links");
                }
                requireTrustedLink(next, s, isShared(cur, curStat), what);
                Path target = readLink(next);
                List<String> parts = new ArrayList<>();
                target.forEach(p -> parts.add(p.toString()));
                for (int i = parts.size() - 1; i >= 0; i--) {
                    todo.addFirst(parts.get(i));
                }
                if (target.isAbsolute()) {
                    cur = root;
                    curStat = stat(root);
                }
                continue;
            }
            if (!s.isDirectory()) {
                throw new StoreException(next + " is not a directory");
            }
            requireSafe(next, s, what, groupMayWrite && todo.isEmpty());
            cur = next;
            curStat = s;
        }
        return new Location(cur, name, isShared(cur, curStat));
    }

    private static FileStat checkedDirectory(Path dir, String what) {
        FileStat s = stat(dir);
        if (s == null || !s.isDirectory()) {
            throw new StoreException("directory " + dir + " does not exist");
        }
        requireSafe(dir, s, what, false);
        return s;
    }

    /**
     * The StrictModes rule for one directory.
     *
     * @throws UnsafePermissionsException if someone other than root or us could change its entries
     */
    static void requireSafe(Path dir, FileStat s, String what, boolean groupMayWrite) {
        if (trusted().contains(dir)) {
            return;
        }
        if (!s.ownedByRootOrUs()) {
            throw new UnsafePermissionsException("directory " + dir + " belongs to user " + s.uid() + " (not root"
                    + " nor this user), who could replace " + what + " or the files beside it with links to other"
                    + " files; refusing. Fix: chown root " + dir + " (or move the store to a directory of root's);"
                    + " to accept the risk, list the directory in " + TRUSTED_ENV);
        }
        boolean othersWrite = groupMayWrite ? (s.mode() & 0002) != 0 : s.writableByOthers();
        if (othersWrite && !s.sticky()) {
            throw new UnsafePermissionsException("directory " + dir + " has mode " + s.octal() + ": its group or"
                    + " other users could replace " + what + " or the files beside it with links to other files;"
                    + " refusing. Fix: chmod go-w " + dir + " (or move the store to a directory only root can write);"
                    + " to accept the risk, list the directory in " + TRUSTED_ENV);
        }
    }

    private static void requireTrustedLink(Path link, FileStat s, boolean inShared, String what) {
        if (inShared && !s.ownedByRootOrUs()) {
            throw new UnsafePermissionsException(link + " is a symbolic link of user " + s.uid() + " in a directory"
                    + " others can write; refusing to follow it for " + what);
        }
    }

    private static boolean isShared(Path dir, FileStat s) {
        return s != null && s.writableByOthers();
    }

    /** Directories the administrator trusts, from {@link #TRUSTED_PROPERTY} or {@link #TRUSTED_ENV}. */
    static Set<Path> trusted() {
        String v = System.getProperty(TRUSTED_PROPERTY);
        if (v == null) {
            v = System.getenv(TRUSTED_ENV);
        }
        if (v == null || v.isBlank()) {
            return Set.of();
        }
        Set<Path> dirs = new java.util.HashSet<>();
        for (String d : v.split(":")) {
            if (!d.isBlank()) {
                dirs.add(Path.of(d.strip()).toAbsolutePath().normalize());
            }
        }
        return dirs;
    }

    static FileStat stat(Path p) {
        try {
            return FileStat.of(p);
        } catch (IOException e) {
            throw new StoreException("cannot read the attributes of " + p + ": " + StoreFormat.describe(e), e);
        }
    }

    private static Path readLink(Path link) {
        try {
            return Files.readSymbolicLink(link);
        } catch (IOException e) {
            throw new StoreException("cannot read the link " + link + ": " + StoreFormat.describe(e), e);
        }
    }
}
