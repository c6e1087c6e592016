package org.sasldb4j.saslpasswd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.sasldb4j.cli.StorePaths;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreOptions;

/**
 * A store this command created: when the command then fails (a full disk, a file-size limit),
 * the new empty store and its side files are removed, so a failed command leaves nothing behind.
 *
 * <p>Only a store that holds no record is removed. Two commands creating the same new store at
 * the same moment on a failing disk could still race; the other one would then fail the same way.
 */
final class NewStore {
    private static final List<String> SIDE_FILES = List.of("-lock", "-wal", "-shm", "-journal");

    private NewStore() {}

    /** Whether {@code path} exists before the command (a link counts: it is not ours to remove). */
    static boolean exists(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * {@link #exists(Path)} for a named store. A server store counts as existing: it is never
     * removed (a failed write there is rolled back by the server, and the schema other writers
     * may already use stays).
     */
    static boolean exists(StorePaths.Resolved store) {
        return store.isServer() || exists(store.path());
    }

    /** {@link #removeIfEmpty(Path)} for a named store; nothing for a server store. */
    static void removeIfEmpty(StorePaths.Resolved store) {
        if (!store.isServer()) {
            removeIfEmpty(store.path());
        }
    }

    /** Removes the store at {@code path} and its side files if it holds no record. */
    static void removeIfEmpty(Path path) {
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (CredentialStore s = CredentialStore.open(path, StoreOptions.readOnly())) {
            boolean[] any = {false};
            s.forEach(e -> {
                any[0] = true;
                e.wipe();
            }, damage -> any[0] = true);
            if (any[0]) {
                return;
            }
        } catch (StoreException e) {
            // Not even a readable store: nothing was ever written to it.
        }
        try {
            for (String side : SIDE_FILES) {
                Files.deleteIfExists(Path.of(path + side));
            }
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // The command's own error is the one to report.
        }
    }
}
