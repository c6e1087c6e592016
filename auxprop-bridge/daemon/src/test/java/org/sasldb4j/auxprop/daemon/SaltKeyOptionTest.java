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
}
