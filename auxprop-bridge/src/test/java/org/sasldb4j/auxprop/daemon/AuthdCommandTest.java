package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.ExitCodes;

/** sasldb-authd's command line: exit codes from the one table, one line per error, nothing left behind. */
class AuthdCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        CliEnvironment env = CliEnvironment.builder().hostname("vm").env("SASL_CONF_PATH", dir.toString())
                .stdout(out).stderr(new PrintStream(err, true, StandardCharsets.UTF_8)).build();
        return AuthdCommand.run(env, args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void unknownSocketGroupIsNamedNotNull() throws IOException {
        Path socket = dir.resolve("auth");
        int rc = run("--foreground", "--socket-group", "nosuchgroup-sasldb4j", "--dovecot-socket", socket.toString(),
                "-f", dir.resolve("db").toString());
        assertEquals(ExitCodes.USAGE, rc, err());
        assertEquals(1, err().lines().count(), err());
        assertTrue(err().startsWith("sasldb-authd: --socket-group nosuchgroup-sasldb4j: no such group"), err());
        assertFalse(err().contains("null"), err());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "no socket or other file left behind");
        }
    }

    @Test
    void usageErrorsExitOneWithOneLineAndNoStackTrace() {
        assertEquals(ExitCodes.USAGE, run("--max-connections", "many"));
        assertEquals(1, err().lines().count(), err());
        assertTrue(err().startsWith("sasldb-authd: "), err());
        assertFalse(err().contains("\tat "), err());
    }

    @Test
    void helpShowsOptionArgumentsAfterASpace() {
        assertEquals(ExitCodes.OK, run("--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("--socket-group GROUP"), help);
        assertFalse(help.contains("-f=sasldb"), help);
    }
}
