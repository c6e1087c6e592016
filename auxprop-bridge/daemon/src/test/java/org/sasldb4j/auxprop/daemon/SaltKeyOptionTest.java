package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.cli.CliEnvironment;

/** {@code sasldb-authd --salt-key}: a planted link or a key readable by others stops the start with one line. */
@Tag("attack")
class SaltKeyOptionTest {
    @TempDir
    Path dir;

    private String run(String... args) {
        return runIn(null, args);
    }

    private String runIn(String stateDirectory, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliEnvironment.Builder b = CliEnvironment.builder().stderr(new PrintStream(err, true, StandardCharsets.UTF_8))
                .hostname("mail.example.org");
        if (stateDirectory != null) {
            b.env("STATE_DIRECTORY", stateDirectory);
        }
        CliEnvironment env = b.build();
        int rc = AuthdCommand.run(env, args);
        assertEquals(1, rc, err.toString(StandardCharsets.UTF_8));
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void symlinkedSaltKeyIsNotFollowed() throws Exception {
        Path victim = dir.resolve("victim");
        Path link = dir.resolve("salt-key");
        Files.createSymbolicLink(link, victim);
        String err = run("--foreground", "-f", dir.resolve("sasldb").toString(), "--saslauthd-socket",
                dir.resolve("mux").toString(), "--salt-key", link.toString());
        assertTrue(err.startsWith("sasldb-authd: the salt key " + link), err);
        assertEquals(1, err.lines().count(), err);
        assertFalse(Files.exists(victim, LinkOption.NOFOLLOW_LINKS), "nothing written through the link");
    }

    @Test
    void systemdStateDirectoryIsTheDefaultPlace() throws Exception {
        Path link = dir.resolve("salt-key");
        Files.createSymbolicLink(link, dir.resolve("victim"));
        String err = runIn(dir.toString(), "--foreground", "-f", dir.resolve("sasldb").toString(),
                "--saslauthd-socket", dir.resolve("mux").toString());
        assertTrue(err.startsWith("sasldb-authd: the salt key " + link), err);
    }

    @Test
    void saltKeyReadableByOthersIsRefused() throws Exception {
        Path key = dir.resolve("salt-key");
        Files.write(key, new byte[32]);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        String err = run("--foreground", "-f", dir.resolve("sasldb").toString(), "--saslauthd-socket",
                dir.resolve("mux").toString(), "--salt-key", key.toString());
        assertTrue(err.contains("chmod 600"), err);
        assertEquals(1, err.lines().count(), err);
    }

    /** Outside systemd (a by-hand or sysvinit start), the package's state directory keeps the salts stable. */
    @Test
    void outsideSystemdTheInstalledStateDirectoryIsTheDefaultPlace() throws Exception {
        Path state = Files.createDirectory(dir.resolve("state"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        assertEquals(state.resolve("salt-key"), AuthdCommand.defaultSaltKey(null, state));
        assertEquals(dir.resolve("sd").resolve("salt-key"), AuthdCommand.defaultSaltKey(dir.resolve("sd").toString(), state),
                "systemd's StateDirectory first");
        // Two starts by hand: the same key, made once, mode 0600, not through a link.
        var first = org.sasldb4j.store.secret.ScramSaltKey.loadOrCreate(AuthdCommand.defaultSaltKey(null, state));
        assertTrue(first.persistent());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("salt-key"))));
        byte[] key = Files.readAllBytes(state.resolve("salt-key"));
        org.sasldb4j.store.secret.ScramSaltKey.loadOrCreate(AuthdCommand.defaultSaltKey(null, state));
        org.junit.jupiter.api.Assertions.assertArrayEquals(key, Files.readAllBytes(state.resolve("salt-key")));
    }

    @Test
    void anUnsafeOrMissingInstalledStateDirectoryIsNotUsed() throws Exception {
        assertEquals(null, AuthdCommand.defaultSaltKey(null, dir.resolve("missing")));
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwx---")); // past the umask
        assertEquals(null, AuthdCommand.defaultSaltKey(null, shared), "group-writable: another user could plant the key");
        Path real = Files.createDirectory(dir.resolve("real"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        assertEquals(null, AuthdCommand.defaultSaltKey(null, link), "a linked state directory is not followed");
    }

    /** A planted link in the installed state directory stops the start with one line; nothing written through it. */
    @Test
    void aLinkPlantedAsTheInstalledKeyIsNotFollowed() throws Exception {
        Path state = Files.createDirectory(dir.resolve("state"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path victim = dir.resolve("victim");
        Files.createSymbolicLink(state.resolve("salt-key"), victim);
        Path chosen = AuthdCommand.defaultSaltKey(null, state);
        assertEquals(state.resolve("salt-key"), chosen);
        org.sasldb4j.store.StoreException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.sasldb4j.store.StoreException.class, () -> org.sasldb4j.store.secret.ScramSaltKey.loadOrCreate(chosen));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        assertFalse(Files.exists(victim, LinkOption.NOFOLLOW_LINKS));
    }
}
