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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.auxprop.TestStore;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.ExitCodes;
import picocli.CommandLine;

/**
 * sasldb-authd's configuration file, {@code --check-config} and {@code --version}: the file
 * supplies defaults the command line overrides, each mistake is one line naming the file and the
 * line, and a check binds nothing.
 */
class ConfigFileTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private CliEnvironment env() {
        return CliEnvironment.builder().hostname("vm").env("SASL_CONF_PATH", dir.toString())
                .stdout(out).stderr(new PrintStream(err, true, StandardCharsets.UTF_8)).build();
    }

    /** Runs with a default configuration path inside the test directory. */
    private int run(String... args) {
        return AuthdCommand.run(env(), dir.resolve("default.conf"), args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private Path conf(String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    /** The daemon's options after parsing {@code args} with {@code file} as the defaults. */
    private AuthdCommand parsed(Path file, String... args) {
        AuthdCommand cmd = new AuthdCommand(env());
        CommandLine cl = new CommandLine(cmd);
        cl.setDefaultValueProvider(ConfigFile.read(file, true, () -> new CommandLine(new AuthdCommand(env()))));
        cl.parseArgs(args);
        return cmd;
    }

    private void assertOneLineError(int rc) {
        assertEquals(ExitCodes.USAGE, rc, err());
        assertEquals(1, err().lines().count(), err());
        assertTrue(err().startsWith("sasldb-authd: "), err());
        assertFalse(err().contains("\tat "), err());
    }

    @Test
    void theFileSetsOptionsSkippingCommentsAndBlankLines() throws IOException {
        Path f = conf("a.conf",
                "# the store Postfix's users live in",
                "",
                "store = /srv/sasldb2",
                "   # indented comment",
                "dovecot-socket = /var/spool/postfix/private/auth",
                "socket-group=postfix",
                "memory-budget = 256",
                "failure-delay = 3s",
                "mechanisms = PLAIN LOGIN",
                "mechanisms = CRAM-MD5",
                "saslauthd-client-address");
        AuthdCommand c = parsed(f);
        assertEquals("/srv/sasldb2", c.store);
        assertEquals(Path.of("/var/spool/postfix/private/auth"), c.dovecotSocket);
        assertEquals("postfix", c.socketGroup);
        assertEquals(256, c.memoryBudgetMib);
        assertEquals(java.time.Duration.ofSeconds(3), c.failureDelay);
        assertEquals(List.of("PLAIN", "LOGIN", "CRAM-MD5"), c.mechanisms);
        assertTrue(c.clientAddressField);
        assertEquals(60, c.requestTimeout.toSeconds(), "an option the file leaves out keeps its default");
    }

    @Test
    void commandLineFlagsOverrideTheFile() throws IOException {
        Path f = conf("a.conf", "store = /srv/sasldb2", "memory-budget = 256", "mechanisms = PLAIN",
                "saslauthd-client-address = true");
        AuthdCommand c = parsed(f, "--memory-budget", "128", "-f", "/other", "--mechanisms", "LOGIN");
        assertEquals(128, c.memoryBudgetMib);
        assertEquals("/other", c.store);
        assertEquals(List.of("LOGIN"), c.mechanisms, "the command line's list replaces the file's");
        assertTrue(c.clientAddressField);
        assertFalse(parsed(conf("b.conf", "saslauthd-client-address = false")).clientAddressField);
    }

    @Test
    void anUnknownOptionNamesItsLineAndTheHelp() throws IOException {
        Path f = conf("a.conf", "# comment", "store = /srv/sasldb2", "stroe = /srv/other");
        assertOneLineError(run("--config", f.toString(), "--check-config"));
        assertEquals("sasldb-authd: unknown option 'stroe' (line 3 of " + f + "); see sasldb-authd --help\n", err());
    }

    @Test
    void aBadValueNamesItsLineAndTheOption() throws IOException {
        Path f = conf("a.conf", "max-connections = many");
        assertOneLineError(run("--config=" + f));
        assertTrue(err().contains("'many'") && err().contains("--max-connections"), err());
        assertTrue(err().contains("(line 1 of " + f + ")"), err());
    }

    @Test
    void repeatedSingleOptionsEmptyValuesDashesAndCommandLineOnlyOptionsAreRefused() throws IOException {
        String[][] cases = {
            {"realm = a", "realm = b", "given twice (line 2 of"},
            {"realm =", "needs a value"},
            {"--store = /x", "write option names without the dashes"},
            {"check-config", "cannot be set in the configuration file"},
            {"saslauthd-client-address = maybe", "takes true or false"},
        };
        for (String[] c : cases) {
            err.reset();
            Path f = conf("c.conf", java.util.Arrays.copyOf(c, c.length - 1));
            assertOneLineError(run("--config", f.toString(), "--check-config"));
            assertTrue(err().contains(c[c.length - 1]), err());
        }
    }

    @Test
    void aMissingConfigFileIsAnErrorButAMissingDefaultIsFine() {
        Path missing = dir.resolve("nope.conf");
        assertOneLineError(run("--config", missing.toString(), "--check-config"));
        assertEquals("sasldb-authd: configuration file " + missing + " does not exist; create it"
                + " (see docs/sasldb-authd.conf) or give another with --config\n", err());
        err.reset();
        assertEquals(ExitCodes.FAILURE, run("--check-config"), err());
        assertTrue(err().startsWith("sasldb-authd: no socket to listen on"), "defaults apply: " + err());
    }

    @Test
    void theDefaultFileIsReadWhenPresent() throws IOException {
        conf("default.conf", "bogus = 1");
        assertOneLineError(run("--check-config"));
        assertTrue(err().contains("line 1 of " + dir.resolve("default.conf")), err());
        err.reset();
        assertEquals(ExitCodes.OK, run("--version"), "--version works while the file is broken: " + err());
        assertEquals(ExitCodes.OK, run("--help"), "--help too: " + err());
    }

    /**
     * Attack: a local user who can write the configuration file points the daemon at a store of
     * their own and logs in as anybody. A file its group or others may write is refused.
     */
    @Test
    @org.junit.jupiter.api.Tag("attack")
    void aConfigurationFileOthersCouldWriteIsRefused() throws IOException {
        Path f = conf("a.conf", "store = " + dir.resolve("planted"));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertOneLineError(run("--config", f.toString(), "--check-config"));
        assertTrue(err().contains("could be changed by another user") && err().contains("chmod go-w"), err());
        err.reset();
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(ExitCodes.FAILURE, run("--config", f.toString(), "--check-config"));
        assertFalse(err().contains("could be changed"), "0644 is fine: " + err());
    }

    @Test
    void checkConfigSaysOkForAGoodSetUpAndBindsNothing() throws IOException {
        Path sockets = Files.createDirectory(dir.resolve("run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        TestStore store = TestStore.in(dir).put("alice", "vm", "userPassword", "secret");
        Path f = conf("a.conf", "store = " + store.path(), "dovecot-socket = " + sockets.resolve("auth"),
                "saslauthd-client-address", "secrets = plaintext");
        assertEquals(ExitCodes.OK, run("--config", f.toString(), "--check-config"), err());
        assertEquals("sasldb-authd: configuration OK\n", out());
        assertEquals("", err());
        try (Stream<Path> files = Files.list(sockets)) {
            assertEquals(0, files.count(), "no socket was bound");
        }
    }

    @Test
    void throttleSettingsComeFromTheFileAndCheckConfigChecksThem() throws IOException {
        Path sockets = Files.createDirectory(dir.resolve("run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        TestStore store = TestStore.in(dir).put("alice", "vm", "userPassword", "secret");
        Path f = conf("t.conf", "store = " + store.path(), "dovecot-socket = " + sockets.resolve("auth"),
                "throttle = off", "throttle-delay = 1s", "throttle-max-delay = 4s", "throttle-entries = 100",
                "throttle-forget = 5m");
        assertEquals(new ThrottleSettings(false, java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(4), 100,
                java.time.Duration.ofMinutes(5)), parsed(f).throttleSettings());
        assertEquals(ThrottleSettings.DEFAULT, parsed(conf("d.conf", "store = /x")).throttleSettings(),
                "on by default");
        assertEquals(ExitCodes.OK, run("--config", f.toString(), "--check-config"), err());
        // A cap below the first wait, a word that is not on or off: one line naming the option.
        assertEquals(ExitCodes.FAILURE, run("--config", f.toString(), "--throttle-max-delay", "500ms",
                "--check-config"));
        assertEquals(1, err().lines().count(), err());
        assertTrue(err().startsWith("sasldb-authd: --throttle-max-delay must be at least --throttle-delay"), err());
        err.reset();
        assertEquals(ExitCodes.FAILURE, run("--config", f.toString(), "--throttle", "maybe", "--check-config"));
        assertEquals("sasldb-authd: --throttle must be on or off, not 'maybe'\n", err());
    }

    @Test
    void rehashOnLoginIsCheckedAsAStartWouldAndRefusesASetThatTakesAMechanismAway() throws IOException {
        Path sockets = Files.createDirectory(dir.resolve("run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        TestStore store = TestStore.in(dir).put("alice", "vm", "userPassword", "secret");
        Path f = conf("a.conf", "store = " + store.path(), "dovecot-socket = " + sockets.resolve("auth"),
                "secrets = plaintext", "rehash-on-login", "rehash-schemes = plaintext,hashed");
        AuthdCommand c = parsed(f);
        assertTrue(c.rehashOnLogin);
        assertEquals("plaintext,hashed", c.rehashSchemes);
        assertEquals(ExitCodes.OK, run("--config", f.toString(), "--check-config"), err());
        assertEquals("sasldb-authd: configuration OK\n", out());
        assertEquals("", err());
        // The default set (hashed) holds nothing CRAM-MD5 can use, and CRAM-MD5 is offered by default.
        Path g = conf("b.conf", "store = " + store.path(), "dovecot-socket = " + sockets.resolve("auth"),
                "rehash-on-login");
        assertEquals(ExitCodes.FAILURE, run("--config", g.toString(), "--check-config"));
        assertEquals(1, err().lines().count(), err());
        assertTrue(err().startsWith("sasldb-authd: --rehash-schemes argon2id,scram-sha-1,scram-sha-256 cannot serve"
                + " CRAM-MD5, which --mechanisms offers"), err());
        assertTrue(err().contains("add plaintext or cram-md5"), err());
        err.reset();
        assertEquals(ExitCodes.OK, run("--config", g.toString(), "--check-config", "--mechanisms",
                "PLAIN,LOGIN,SCRAM-SHA-1,SCRAM-SHA-256"), err());
        assertEquals(ExitCodes.FAILURE, run("--config", g.toString(), "--check-config", "--mechanisms",
                "PLAIN,DIGEST-MD5", "--rehash-schemes", "cram-md5,argon2id"));
        assertTrue(err().contains("cannot serve DIGEST-MD5") && err().contains("add plaintext "), err());
        err.reset();
        assertEquals(ExitCodes.FAILURE, run("--config", g.toString(), "--check-config", "--rehash-schemes", "md5"));
        assertTrue(err().startsWith("sasldb-authd: --rehash-schemes: unknown secret scheme 'md5'"), err());
        err.reset();
        // Off: --rehash-schemes alone changes nothing and is not checked against the mechanisms.
        assertEquals(ExitCodes.OK, run("--store", store.path().toString(), "--dovecot-socket",
                sockets.resolve("auth").toString(), "--rehash-schemes", "argon2id", "--check-config"), err());
    }

    @Test
    void checkConfigFailsInOneLineOnAMissingStoreOrSocketDirectory() throws IOException {
        Path f = conf("a.conf", "store = " + dir.resolve("no-store"), "dovecot-socket = " + dir.resolve("run/auth"));
        assertEquals(ExitCodes.FAILURE, run("--config", f.toString(), "--check-config"));
        assertEquals(1, err().lines().count(), err());
        assertTrue(err().startsWith("sasldb-authd: socket directory " + dir.resolve("run") + " does not exist"), err());
        assertEquals("", out());
        err.reset();
        Files.createDirectory(dir.resolve("run"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        assertEquals(ExitCodes.FAILURE, run("--config", f.toString(), "--check-config"));
        assertEquals(1, err().lines().count(), err());
        assertTrue(err().contains(dir.resolve("no-store").toString()), err());
        err.reset();
        assertEquals(ExitCodes.USAGE, run("--config", f.toString(), "--check-config", "--socket-group",
                "nosuchgroup-sasldb4j"));
        assertTrue(err().contains("no such group"), err());
    }

    @Test
    void versionPrintsTheProjectVersionFirst() throws IOException {
        assertEquals(ExitCodes.OK, run("--version"), err());
        assertEquals("sasldb-authd " + projectVersion() + "\n", out());
    }

    @Test
    void anUnknownOptionIsOneLineNotTheHelp() {
        assertOneLineError(run("--foo"));
        assertEquals("sasldb-authd: unknown option '--foo'; try sasldb-authd --help\n", err());
    }

    @Test
    void theConfigArgumentIsFoundAsPicocliReadsIt() {
        assertEquals("b", ConfigFile.configArgument(new String[] {"--config", "a", "--config=b"}));
        assertEquals(null, ConfigFile.configArgument(new String[] {"--", "--config", "a"}));
        assertEquals(Map.of(), ConfigFile.empty().values());
    }

    /**
     * docs/sasldb-authd.conf names every option the file may set (all but the hidden and the
     * command-line-only ones), set (the packaged unit's layout) or commented out, and with each
     * example line uncommented it is a valid file.
     */
    @Test
    void theShippedExampleNamesEveryOptionAndEveryExampleIsValid() throws IOException {
        String example = Files.readString(root().resolve("docs/sasldb-authd.conf"));
        List<String> shown = example.lines().filter(l -> l.matches("#?[a-z][a-z-]*( = .*)?"))
                .map(l -> l.startsWith("#") ? l.substring(1) : l).toList();
        CommandLine cl = new CommandLine(new AuthdCommand(env()));
        for (CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) {
            String name = o.longestName().substring(2);
            if (o.hidden() || List.of("config", "check-config", "help", "version").contains(name)) {
                continue;
            }
            assertTrue(shown.stream().anyMatch(l -> l.equals(name) || l.startsWith(name + " = ")),
                    "docs/sasldb-authd.conf shows " + name);
        }
        Path f = conf("example.conf", shown.toArray(String[]::new));
        assertEquals(shown.size(), ConfigFile.read(f, true, () -> new CommandLine(new AuthdCommand(env())))
                .values().size(), "each option once");
    }

    private static Path root() {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("auxprop-bridge"))) {
            root = root.getParent();
        }
        return root;
    }

    /** The version in the root pom, read independently of the code under test. */
    static String projectVersion() throws IOException {
        String text = Files.readString(root().resolve("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>sasldb4j-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(text);
        assertTrue(m.find(), "version of the parent pom");
        return m.group(1);
    }
}
