package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import org.sasldb4j.store.FileStat;
import org.sasldb4j.store.SafeDirectories;
import org.sasldb4j.store.StoreException;

/**
 * Creates listening UNIX sockets that only the intended group can reach.
 *
 * <p>A socket made by {@code bind} gets mode {@code 0777 & ~umask}, and Java cannot set the
 * umask, so the socket is bound inside a fresh 0700 directory next to its final path, given
 * mode 0660 and its group there, and only then renamed into place: at no moment can another
 * user connect to it. The directory that holds it must not be writable by its group or others
 * (they could swap in a socket of their own), and the directories above it pass
 * {@link SafeDirectories}.
 */
final class SocketFiles {
    /** Mode of every socket: owner and group may connect, others may not. */
    static final Set<PosixFilePermission> SOCKET_MODE = PosixFilePermissions.fromString("rw-rw----");
    /** Longest socket path the kernel accepts ({@code sun_path} is 108 bytes with its NUL). */
    static final int MAX_PATH = 107;

    private SocketFiles() {}

    /**
     * Binds a server socket at {@code path}.
     *
     * @param group the group to own the socket (e.g. {@code postfix}), or null to keep the
     *     process's group
     * @throws UnsafeSocketException if the directory is unsafe, the path is taken by something
     *     else, or another server is listening there
     * @throws IOException if binding fails
     */
    static ServerSocketChannel bind(Path path, String group, int backlog) throws IOException {
        path = path.toAbsolutePath().normalize();
        if (path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PATH - 20) {
            throw new UnsafeSocketException("socket path " + path + " is too long (at most " + (MAX_PATH - 20) + " bytes)");
        }
        Path dir = checkDirectory(path.getParent());
        path = dir.resolve(path.getFileName());
        clearStale(path);
        Path tmpDir = dir.resolve("." + path.getFileName() + "." + HexFormat.of().formatHex(randomBytes()));
        Files.createDirectory(tmpDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmp = tmpDir.resolve("s");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(tmp), backlog);
            // Following links here is safe (tmp is our own socket in our own 0700 directory) and
            // needed: the no-follow path opens the file for fchmod, which fails on a socket.
            PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            view.setPermissions(SOCKET_MODE);
            if (group != null && !group.isEmpty()) {
                GroupPrincipal g = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
                view.setGroup(g);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new UnsafeSocketException("cannot rename the socket into " + dir + ": " + e.getMessage());
            }
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(tmp);
            throw e;
        } finally {
            Files.deleteIfExists(tmpDir);
        }
    }

    /**
     * Refuses a socket directory its group or others may write to, and one below a directory
     * that fails {@link SafeDirectories} (StrictModes: each directory above it root's or ours,
     * not writable by others, links followed only where those directories are safe). The socket
     * directory itself may belong to another user: Postfix's {@code private/} belongs to
     * {@code postfix}, the very client the socket is for.
     *
     * @return the real path of the directory, every component checked
     * @throws UnsafeSocketException naming the problem and the fix
     */
    static Path checkDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new UnsafeSocketException("socket directory " + dir + " does not exist; create it (e.g. mkdir -m 0750 " + dir + ")");
        }
        Path real;
        try {
            real = SafeDirectories.locateFollowing(dir, "the socket directory " + dir).file();
        } catch (StoreException e) {
            throw new UnsafeSocketException(e.getMessage());
        }
        FileStat s = FileStat.of(real);
        if (s == null || !s.isDirectory()) {
            throw new UnsafeSocketException("socket directory " + dir + " is not a directory");
        }
        if (s.writableByOthers()) {
            throw new UnsafeSocketException("socket directory " + dir + " has mode " + s.octal() + ": its group or other"
                    + " users could replace the socket; use a directory only the daemon's user can write (chmod go-w "
                    + dir + ")");
        }
        return real;
    }

    /** Removes a socket left by a previous run; refuses anything else, or a live server. */
    private static void clearStale(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(path)) {
            throw new UnsafeSocketException(path + " exists and is not a socket; refusing to replace it");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            throw new UnsafeSocketException("another server is listening on " + path);
        } catch (IOException e) {
            if (e instanceof UnsafeSocketException) {
                throw e;
            }
            // Connection refused: a stale socket from a previous run.
            Files.deleteIfExists(path);
        }
    }

    static boolean isSocket(Path path) throws IOException {
        Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return mode instanceof Integer m && (m & 0170000) == 0140000;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** A socket that would be unsafe, or cannot be made safe. */
    static final class UnsafeSocketException extends IOException {
        private static final long serialVersionUID = 1L;

        UnsafeSocketException(String message) {
            super(message);
        }
    }
}
