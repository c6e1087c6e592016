package org.sasldb4j.store.bdb;

import java.nio.file.Path;
import jnr.constants.platform.OpenFlags;
import org.sasldb4j.store.Libc;

/**
 * How many bytes of a file hold data, as opposed to holes ({@code lseek} with
 * {@code SEEK_DATA}/{@code SEEK_HOLE}). Berkeley DB leaves holes only for hash buckets it
 * preallocated and never wrote, so a sasldb2 that is mostly holes has an impossible geometry:
 * a sparse file of 8 GB would otherwise be read page by page for minutes before being refused.
 */
final class Holes {
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    /** Stop counting after this many data extents (a file made of millions of them is read as data). */
    private static final int MAX_EXTENTS = 100_000;

    private Holes() {}

    /**
     * @return the bytes of {@code path} that hold data, or {@code size} when that cannot be told
     *     (no SEEK_HOLE support, not Linux): a file is never refused on a guess
     */
    static long dataBytes(Path path, long size) {
        Libc.Calls c = Libc.orNull();
        if (c == null) {
            return size;
        }
        int fd = c.open(path.toString(), OpenFlags.O_RDONLY.intValue() | OpenFlags.O_CLOEXEC.intValue(), 0);
        if (fd < 0) {
            return size;
        }
        try {
            long data = 0;
            long off = c.lseek(fd, 0, SEEK_DATA);
            for (int n = 0; off >= 0 && off < size; n++) {
                if (n == MAX_EXTENTS) {
                    return size;
                }
                long hole = c.lseek(fd, off, SEEK_HOLE);
                if (hole < 0) {
                    return size;
                }
                data += Math.min(hole, size) - off;
                off = c.lseek(fd, hole, SEEK_DATA); // -1 (ENXIO) after the last extent
            }
            return data;
        } finally {
            c.close(fd);
        }
    }
}
