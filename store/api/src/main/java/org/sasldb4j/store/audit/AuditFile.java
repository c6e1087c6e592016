package org.sasldb4j.store.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.sasldb4j.store.PermissionPolicy;
import org.sasldb4j.store.SafeDirectories;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.ThisProcess;
import org.sasldb4j.store.UnsafePermissionsException;

/**
 * The JSON-lines audit log: one record per line, appended ({@code O_APPEND}, so lines of
 * concurrent tools never interleave), each written with one {@code write(2)} as it happens.
 *
 * <p>Security: the directories above the file pass {@link SafeDirectories} (OpenSSH StrictModes),
 * and the directory holding it must not be one others may add entries to; the file is opened
 * with {@code O_NOFOLLOW} and must be a regular file owned by root or this user that others
 * cannot write, so nobody can plant a link that makes root append to another file, or forge
 * lines in it. A new file gets mode {@code 0640 & ~umask}.
 */
final class AuditFile implements AutoCloseable {
    static final String NEW_MODE = "rw-r-----";
    private final Path path;
    private final FileChannel channel;

    private AuditFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /**
     * Opens (creating it if missing) the audit log.
     *
     * @throws UnsafePermissionsException if a directory above it, or the file, could be changed
     *     by someone else
     * @throws StoreException if it is a symbolic link or not a regular file, or cannot be opened
     */
    static AuditFile open(Path file) {
        String what = "the audit log " + file;
        SafeDirectories.Location loc = SafeDirectories.locate(file, what);
        if (loc.shared()) {
            throw new UnsafePermissionsException(what + " is in " + loc.directory() + ", where other users may"
                    + " create files; put the audit log in a directory only root (or you) can write");
        }
        Path f = loc.file();
        refuseUnsafe(file, f);
        try {
            FileChannel ch = FileChannel.open(f, Set.<OpenOption>of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(NEW_MODE)));
            return new AuditFile(file, ch);
        } catch (IOException e) {
            throw new StoreException("cannot open " + what + ": " + reason(e) + "; check the path given to"
                    + " --audit-log or SASLDB4J_AUDIT_LOG", e);
        }
    }

    private static void refuseUnsafe(Path given, Path f) {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(f, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return; // created below, with our mode
        } catch (IOException e) {
            throw new StoreException("cannot read the audit log " + given + ": " + reason(e), e);
        }
        if (a.isSymbolicLink()) {
            throw new StoreException("the audit log " + given + " is a symbolic link; the audit log is never"
                    + " written through one: give the real file's path");
        }
        if (!a.isRegularFile()) {
            throw new StoreException("the audit log " + given + " is not a regular file; give a file's path");
        }
        int owner = ownerUid(f);
        if (owner != 0 && owner != ThisProcess.euid()) {
            throw new UnsafePermissionsException("the audit log " + given + " belongs to uid " + owner
                    + ", neither root nor you; refusing to append to someone else's file");
        }
        if (a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new UnsafePermissionsException("the audit log " + given + " has mode "
                    + PermissionPolicy.octal(a.permissions()) + ", so anyone can forge lines in it; fix it with:"
                    + " chmod o-w " + given);
        }
    }

    private static int ownerUid(Path f) {
        try {
            return (Integer) Files.getAttribute(f, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    /** Appends one line. */
    void append(String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    Path path() {
        return path;
    }

    /** Flushes the lines to disk and closes the file. */
    @Override
    public void close() throws IOException {
        try {
            channel.force(false);
        } finally {
            channel.close();
        }
    }

    static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
