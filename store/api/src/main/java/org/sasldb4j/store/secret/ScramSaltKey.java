package org.sasldb4j.store.secret;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.sasldb4j.store.StoreException;

/**
 * The key of SCRAM salts for users without stored SCRAM keys ({@link MechanismSecrets}): 32
 * bytes. Kept in a file so that those salts stay the same across restarts, as stored salts do;
 * otherwise a client that asks before and after a restart sees which users have stored keys.
 *
 * <p>The file holds 32 random bytes, is created on first use with mode 0600 (exclusively, never
 * through a symbolic link), and is refused when it is a link, not a regular file, shorter than 32
 * bytes, or writable or readable by others than its owner and group. Where it lives is the
 * administrator's choice ({@code sasldb-authd --salt-key}); the systemd unit uses the service's
 * state directory. It is not password-equivalent: with it an attacker can tell users with stored
 * SCRAM keys from others by their salts, and precompute guesses for a plaintext user's SCRAM
 * exchange, nothing more.
 *
 * <p><b>Security:</b> {@link #bytes()} returns a copy; {@link #toString()} shows nothing of it.
 */
public final class ScramSaltKey {
    /** Key length in bytes. */
    public static final int LENGTH = 32;
    private static final Set<PosixFilePermission> TOO_WIDE = Set.of(PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final byte[] key;
    private final boolean persistent;

    private ScramSaltKey(byte[] key, boolean persistent) {
        this.key = key;
        this.persistent = persistent;
    }

    /** A random key for this process only: salts change at every restart. */
    public static ScramSaltKey random() {
        return new ScramSaltKey(Bytes.randomBytes(LENGTH), false);
    }

    /**
     * The key in {@code file}, created with 32 random bytes (mode 0600) if the file does not
     * exist.
     *
     * @throws StoreException with one line naming the file and what to do, if it cannot be read
     *     or created, or is unsafe
     */
    public static ScramSaltKey loadOrCreate(Path file) {
        try {
            return new ScramSaltKey(read(file), true);
        } catch (java.nio.file.NoSuchFileException e) {
            return create(file);
        } catch (IOException e) {
            throw new StoreException("cannot read the salt key " + file + ": " + reason(e));
        }
    }

    /** True if loaded from a file (salts survive a restart). */
    public boolean persistent() {
        return persistent;
    }

    /** A copy of the key. */
    byte[] bytes() {
        return key.clone();
    }

    private static byte[] read(Path file) throws IOException {
        PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink() || !a.isRegularFile()) {
            throw new StoreException("the salt key " + file + " is not a regular file (a link?); remove it");
        }
        for (PosixFilePermission p : a.permissions()) {
            if (TOO_WIDE.contains(p)) {
                throw new StoreException("the salt key " + file + " is accessible by others (mode "
                        + PosixFilePermissions.toString(a.permissions()) + "); chmod 600 it");
            }
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate(LENGTH);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read up to LENGTH bytes
            }
            if (buf.hasRemaining()) {
                throw new StoreException("the salt key " + file + " is shorter than " + LENGTH
                        + " bytes; remove it to have a new one made");
            }
            return buf.array();
        }
    }

    private static ScramSaltKey create(Path file) {
        byte[] key = Bytes.randomBytes(LENGTH);
        OpenOption[] options = {StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS};
        try (FileChannel ch = FileChannel.open(file, Set.of(options),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ch.write(ByteBuffer.wrap(key));
            ch.force(true);
            // The umask may not have narrowed it, but a wider mode from a planted file cannot
            // happen: CREATE_NEW failed if anything (a link too) was there.
            Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setPermissions(PosixFilePermissions.fromString("rw-------"));
            return new ScramSaltKey(key, true);
        } catch (FileAlreadyExistsException e) {
            // Created by someone else in between: read theirs.
            return loadOrCreate(file);
        } catch (IOException e) {
            throw new StoreException("cannot create the salt key " + file + ": " + reason(e)
                    + "; create its directory or choose another place");
        }
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public String toString() {
        return "ScramSaltKey[" + (persistent ? "file" : "random") + "]";
    }
}
