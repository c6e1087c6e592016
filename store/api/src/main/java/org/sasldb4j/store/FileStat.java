package org.sasldb4j.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code lstat} says about a directory entry: never follows a link, so a link is seen as
 * itself.
 *
 * @param mode the full {@code st_mode} (type and permission bits)
 * @param uid the owner
 * @param gid the group
 * @param nlink the number of hard links
 * @param key device and inode, to tell whether a name still refers to the same file
 */
public record FileStat(int mode, int uid, int gid, int nlink, List<Long> key) {
    private static final int TYPE = 0170000;
    private static final int LINK = 0120000;
    private static final int DIRECTORY = 0040000;
    private static final int REGULAR = 0100000;
    private static final int SOCKET = 0140000;

    public FileStat {
        key = List.copyOf(key); // immutable, so the accessor can hand it out
    }

    /** The entry at {@code path} itself, or null if there is none. */
    public static FileStat of(Path path) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(path, "unix:mode,uid,gid,nlink,dev,ino", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        return new FileStat((Integer) a.get("mode"), (Integer) a.get("uid"), (Integer) a.get("gid"),
                (Integer) a.get("nlink"), List.of((Long) a.get("dev"), (Long) a.get("ino")));
    }

    public boolean isLink() {
        return (mode & TYPE) == LINK;
    }

    public boolean isDirectory() {
        return (mode & TYPE) == DIRECTORY;
    }

    public boolean isRegular() {
        return (mode & TYPE) == REGULAR;
    }

    public boolean isSocket() {
        return (mode & TYPE) == SOCKET;
    }

    /** The permission bits, e.g. {@code 0640}. */
    public int permissions() {
        return mode & 07777;
    }

    /** Writable by the group or by others. */
    public boolean writableByOthers() {
        return (mode & 0022) != 0;
    }

    /** The sticky bit: only an entry's owner (or the directory's, or root) may rename or remove it. */
    public boolean sticky() {
        return (mode & 01000) != 0;
    }

    /** Owned by root or by this process's effective user. */
    public boolean ownedByRootOrUs() {
        return uid == 0 || uid == ThisProcess.euid();
    }

    /** The permission bits in octal for messages, e.g. {@code 0775}. */
    public String octal() {
        return String.format("0%03o", permissions());
    }
}
