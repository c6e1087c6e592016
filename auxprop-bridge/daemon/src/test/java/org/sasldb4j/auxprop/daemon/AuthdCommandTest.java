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
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.TestStore;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.DefaultRealm;
import org.sasldb4j.cli.ExitCodes;
import org.sasldb4j.store.secret.SecretSet;

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

    /**
     * There is no detaching mode any more: without {@code --foreground} (now hidden, accepted for
     * old unit files) a refusal after the point where the daemon used to start a copy of itself
     * comes from this process, on this stderr.
     */
    @Test
    void theDaemonNeverDetaches() throws IOException {
        assertEquals(ExitCodes.OK, run("--help"));
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("--foreground"));
        Path pid = Files.createSymbolicLink(dir.resolve("authd.pid"), dir.resolve("elsewhere"));
        int rc = run("--dovecot-socket", dir.resolve("auth").toString(), "-f", dir.resolve("db").toString(),
                "--pid-file", pid.toString());
        assertEquals(ExitCodes.FAILURE, rc, err());
        assertTrue(err().startsWith("sasldb-authd: pid file " + pid), err());
        assertFalse(Files.exists(dir.resolve("auth")), "no socket was made");
    }

    private CliEnvironment env(String realmEnv) {
        CliEnvironment.Builder b = CliEnvironment.builder().hostname("Mail.Example.ORG");
        if (realmEnv != null) {
            b.env(DefaultRealm.ENV, realmEnv);
        }
        return b.build();
    }

    @Test
    void aUserMadeWithAnUppercaseRealmLogsInWithoutAtWhenTheDaemonIsGivenThatRealm() {
        TestStore store = TestStore.in(dir).put("alice", "EX.ORG", "userPassword", "secret");
        DefaultRealm.Choice realm = DefaultRealm.choose(null, "EX.ORG", env(null));
        try (AuxpropBridge bridge = store.bridge(AuthdCommand.bridgeConfig(realm, SecretSet.PLAINTEXT))) {
            assertEquals("EX.ORG", bridge.canonicalize("alice").orElseThrow().realm());
            assertTrue(bridge.verify("alice", null, "secret".toCharArray()).authenticated());
            assertFalse(bridge.verify("alice@ex.org", null, "secret".toCharArray()).authenticated(),
                    "realms are case-sensitive");
        }
        assertEquals("logins without @ are looked up in realm 'EX.ORG', from --realm, exactly as given;"
                + " realms are case-sensitive", AuthdCommand.realmRule(realm));
    }

    @Test
    void theHostNameIsTheOnlyRealmThatIsLowercasedAndTheStartupLineSaysSo() {
        DefaultRealm.Choice host = DefaultRealm.choose(null, null, env(null));
        assertEquals("mail.example.org", AuthdCommand.bridgeConfig(host, SecretSet.PLAINTEXT).serverFqdn());
        assertEquals("logins without @ are looked up in realm 'mail.example.org', this host's name, lowercased;"
                + " realms are case-sensitive", AuthdCommand.realmRule(host));
        DefaultRealm.Choice fromEnv = DefaultRealm.choose(null, null, env("Sales.EX"));
        assertEquals("Sales.EX", AuthdCommand.bridgeConfig(fromEnv, SecretSet.PLAINTEXT).userRealm());
        assertTrue(AuthdCommand.realmRule(fromEnv).contains("from $SASLDB4J_DEFAULT_REALM, exactly as given"));
    }
}
