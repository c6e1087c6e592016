package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import org.sasldb4j.store.FileStat;
import org.sasldb4j.store.SafeDirectories;
import org.sasldb4j.store.StoreException;

/**
 * The daemon's {@code --pid-file}, written without ever following a link.
 *
 * <p>The directories above it pass {@link SafeDirectories} (StrictModes). The number is written
 * to a new file of a random name beside it ({@code O_CREAT|O_EXCL}, mode 0644) and renamed over
 * the path: a regular file left by an earlier run is replaced, and no existing file is ever
 * opened. A symbolic link, or anything else that is not a regular file, is refused.
 */
final class PidFile implements AutoCloseable {
    private final Path path;
    private final FileStat written;

    private PidFile(Path path, FileStat written) {
        this.path = path;
        this.written = written;
    }

    /**
     * Writes this process's id to {@code path}.
     *
     * @throws IOException with a one-line message naming the file and the problem
     */
    static PidFile write(Path path) throws IOException {
        SafeDirectories.Location loc = check(path);
        Path target = loc.file();
        Path tmp = loc.directory().resolve("." + loc.name() + "." + HexFormat.of().formatHex(random()));
        try {
            try (SeekableByteChannel c = Files.newByteChannel(tmp,
                    EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")))) {
                c.write(ByteBuffer.wrap(line().getBytes(StandardCharsets.US_ASCII)));
            }
            FileStat mine = FileStat.of(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new PidFile(target, mine);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof AtomicMoveNotSupportedException ? "cannot rename in its directory" : e.getMessage();
            throw new IOException("cannot write pid file " + path + ": " + why, e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Checks, without writing, that {@code path} can be written safely: the directories above it
     * pass {@link SafeDirectories}, and it is missing or a regular file. The daemon checks before
     * it binds its sockets, and writes once they are bound (a second daemon that fails to bind
     * must not replace the first one's pid file).
     *
     * @return where the file lives, every directory checked
     * @throws IOException with a one-line message naming the file and the problem
     */
    static SafeDirectories.Location check(Path path) throws IOException {
        SafeDirectories.Location loc;
        try {
            loc = SafeDirectories.locate(path, "the pid file " + path);
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
        FileStat old = FileStat.of(loc.file());
        if (old != null && (old.isLink() || !old.isRegular())) {
            throw new IOException("pid file " + path + " is " + (old.isLink() ? "a symbolic link" : "not a regular file")
                    + "; refusing to write through it. Remove it (rm " + path + ") or choose another --pid-file");
        }
        return loc;
    }

    /** Removes the file if it is still the one written (a later daemon may have replaced it). */
    @Override
    public void close() {
        try {
            FileStat now = FileStat.of(path);
            // Same inode and our number: an inode freed and reused by a later daemon's file has another number.
            if (now != null && now.isRegular() && now.key().equals(written.key())
                    && Files.readString(path, StandardCharsets.US_ASCII).equals(line())) {
                Files.delete(path);
            }
        } catch (IOException e) {
            // The next start replaces it.
        }
    }

    private static String line() {
        return ProcessHandle.current().pid() + "\n";
    }

    private static byte[] random() {
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
