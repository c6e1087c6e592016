package org.sasldb4j.saslpasswd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.cli.CyrusTexts;
import org.sasldb4j.cli.ExitCodes;

/**
 * Bad input found by trying the tools (issue 8 §7): each gets one line naming the real problem,
 * an exit status from the one table, and leaves no file behind.
 */
class CommandLineFaultsTest {
    @TempDir
    Path dir;

    private Harness tool() {
        return new Harness(dir);
    }

    private long filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void deleteFromAMistypedDirectorySaysTheStoreIsMissingAndExits1AsCyrus() throws IOException {
        Path typo = dir.resolve("typo/path");
        long before = filesIn(dir);
        Harness.Result r = tool().run("-d", "-f", typo.toString(), "-u", "example.org", "user");
        assertEquals(ExitCodes.FAILURE, r.rc(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("saslpasswd: " + typo + ": no such store, and no directory "), r.err());
        assertFalse(r.err().contains("user not found"), r.err());
        assertEquals(before, filesIn(dir), "nothing created");
    }

    @Test
    void deleteFromAMissingStoreFileSaysThereIsNoStoreAndExits0AsCyrus() throws IOException {
        Path never = dir.resolve("never.db");
        long before = filesIn(dir);
        Harness.Result r = tool().run("-d", "-f", never.toString(), "-u", "example.org", "nobody");
        assertEquals(ExitCodes.OK, r.rc(), r.err());
        assertEquals("saslpasswd: user not found: nobody@example.org (nothing deleted): there is no store at "
                + never + "; check -f\n", r.err());
        assertEquals(before, filesIn(dir), "nothing created");
    }

    @Test
    void missingPasswordFileIsNamedWithTheReasonAndNoStoreIsCreated() throws IOException {
        Path store = dir.resolve("db");
        Path missing = dir.resolve("missing");
        Harness.Result r = tool().run("--password-file", missing.toString(), "-f", store.toString(), "-u", "r", "u");
        assertEquals(ExitCodes.FAILURE, r.rc(), r.err());
        assertEquals("saslpasswd: cannot read the password: file " + missing + ": no such file;"
                + " check --password-file\n", r.err());
        assertFalse(Files.exists(store));
        assertFalse(Files.exists(dir.resolve("db-lock")));
    }

    @Test
    void helpShowsOptionArgumentsAfterASpaceNotAnEqualsSign() {
        Harness.Result r = tool().run("--help");
        assertEquals(ExitCodes.OK, r.rc());
        assertTrue(r.out().contains("-f sasldb"), r.out());
        assertTrue(r.out().contains("--batch FILE|-"), r.out());
        assertFalse(r.out().matches("(?s).*-[a-z-]+=[A-Za-z].*"), r.out());
    }

    @Test
    void longOptionWithEqualsSignStillParses() throws IOException {
        Path pw = Files.writeString(dir.resolve("pw"), "secret");
        Path store = dir.resolve("db");
        Harness.Result r = tool().run("--password-file=" + pw, "-f", store.toString(), "-u", "r", "u");
        assertEquals(ExitCodes.OK, r.rc(), r.err());
    }

    @Test
    void programNamePropertyIsTheOneTheLauncherSets() throws IOException {
        Path launcher = Path.of(System.getProperty("user.dir")).getParent().getParent().resolve("bin/lib/launch.bash");
        String text = Files.readString(launcher, StandardCharsets.UTF_8);
        assertTrue(text.contains("-D" + CyrusTexts.PROGRAM_NAME_PROPERTY + "="), "launch.bash must set -D"
                + CyrusTexts.PROGRAM_NAME_PROPERTY);
        String old = System.getProperty(CyrusTexts.PROGRAM_NAME_PROPERTY);
        System.setProperty(CyrusTexts.PROGRAM_NAME_PROPERTY, "saslpasswd2");
        try {
            Harness.Result r = tool().run("-d", "-f", dir.resolve("nodir/x").toString(), "u@r");
            assertTrue(r.err().startsWith("saslpasswd2: "), r.err());
        } finally {
            if (old == null) {
                System.clearProperty(CyrusTexts.PROGRAM_NAME_PROPERTY);
            } else {
                System.setProperty(CyrusTexts.PROGRAM_NAME_PROPERTY, old);
            }
        }
    }
}
