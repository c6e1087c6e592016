package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.PasswordConsole;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.Argon2Parameters;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretSet;

/**
 * {@code sasldb-authd test-login}'s argument handling, password sources, output and exit
 * statuses, against a real store in store mode (the daemon through its socket: {@code TestLoginIT}).
 */
class TestLoginCommandTest {
    static final Argon2Parameters CHEAP = new Argon2Parameters(256, 1, 1, 16, 32);

    @TempDir
    Path dir;
    Path store;
    Path pwFile;
    Path noConfig;

    record Run(int code, String out, String err) {}

    @BeforeEach
    void createStore() throws Exception {
        store = dir.resolve("sasldb");
        noConfig = dir.resolve("no-such.conf");
        List<Entry> records = new ArrayList<>(SecretSet.HASHED.withArgon2(CHEAP)
                .encode(UserId.of("alice", "example.org"), "alice-pw".toCharArray()));
        records.add(Entry.of(UserId.of("bob", "example.org"), SecretProperties.USER_PASSWORD,
                "bob-pw".getBytes(StandardCharsets.UTF_8)));
        try (CredentialStore s = CredentialStore.open(store, StoreOptions.create())) {
            s.update(w -> records.forEach(w::put));
        }
        pwFile = Files.writeString(dir.resolve("pw"), "alice-pw\n");
    }

    private Run run(CliEnvironment.Builder b, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliEnvironment env = b.stdout(out).stderr(new PrintStream(err, true, StandardCharsets.UTF_8))
                .env(DefaultRealmEnv.NAME, "example.org").build();
        int code = AuthdCommand.run(env, noConfig, args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run run(String... args) {
        return run(CliEnvironment.builder().hostname("vm"), args);
    }

    /** A terminal typing {@code typed}, recording its prompts. */
    static final class Terminal implements PasswordConsole {
        final List<String> prompts = new ArrayList<>();
        private final String typed;

        Terminal(String typed) {
            this.typed = typed;
        }

        @Override
        public char[] readPassword(String prompt) {
            prompts.add(prompt);
            return typed == null ? null : typed.toCharArray();
        }

        @Override
        public Charset charset() {
            return StandardCharsets.UTF_8;
        }

        @Override
        public void newline() {}
    }

    /** Holds the realm variable's name, so the test reads as the daemon's rule. */
    static final class DefaultRealmEnv {
        static final String NAME = org.sasldb4j.cli.DefaultRealm.ENV;
    }

    @Test
    void storeModeSaysWhichSecretsServedTheLogin() {
        Run r = run("test-login", "-f", store.toString(), "--password-file", pwFile.toString(), "alice");
        assertEquals(0, r.code, r::toString);
        assertEquals("", r.err);
        assertTrue(r.out.startsWith("login: ok\nuser: alice@example.org\nmechanism: PLAIN\nvia: " + store
                + " (store, read-only)\n"), r.out);
        assertTrue(r.out.contains("\nsecret: sasldb4j.argon2id, sasldb4j.scram-sha-256, authPassword\n"), r.out);
        assertFalse(r.out.contains("reason:"), r.out);
    }

    @Test
    void wrongPasswordIsRefusedWithTheReasonAndNeverPrintsThePassword() throws Exception {
        Files.writeString(pwFile, "Guess-42\n");
        Run r = run("test-login", "-f", store.toString(), "--password-file", pwFile.toString(), "bob");
        assertEquals(1, r.code, r::toString);
        assertTrue(r.out.startsWith("login: refused\nuser: bob@example.org\n"), r.out);
        assertTrue(r.out.contains("\nreason: wrong password (checked userPassword)\n"), r.out);
        assertFalse((r.out + r.err).contains("Guess-42"), "the password is never printed");
        assertFalse((r.out + r.err).contains("bob-pw"), "nor the stored one");
    }

    @Test
    void thePasswordIsPromptedForOnTheTerminal() {
        Terminal t = new Terminal("bob-pw");
        Run r = run(CliEnvironment.builder().console(t), "test-login", "-f", store.toString(), "bob@example.org");
        assertEquals(0, r.code, r::toString);
        assertEquals(List.of("Password: "), t.prompts);
        assertTrue(r.out.contains("\nsecret: userPassword\n"), r.out);
    }

    @Test
    void ctrlDAtThePromptIsAUsageError() {
        Run r = run(CliEnvironment.builder().console(new Terminal(null)), "test-login", "-f", store.toString(), "bob");
        assertEquals(64, r.code, r::toString);
        assertEquals(1, r.err.lines().count(), r.err);
    }

    @Test
    void withoutATerminalOrAPasswordSourceItSaysWhatToPass() {
        Run r = run("test-login", "-f", store.toString(), "bob");
        assertEquals(64, r.code, r::toString);
        assertEquals("sasldb-authd test-login: no terminal to ask for the password on; give --password-file FILE or"
                + " --password-fd N (never the password itself); try sasldb-authd test-login --help\n", r.err);
        assertEquals("", r.out);
    }

    @Test
    void usageErrorsExit64WithOneLine() {
        String pw = pwFile.toString();
        List<String[]> bad = List.of(
                new String[] {"test-login", "--socket", "/nonexistent", "-f", store.toString(), "--password-file", pw, "a"},
                new String[] {"test-login", "-f", store.toString(), "-m", "NTLM", "--password-file", pw, "a"},
                new String[] {"test-login", "-f", store.toString(), "--password-file", pw, "--password-fd", "3", "a"},
                new String[] {"test-login", "-f", store.toString(), "--password-file", pw},
                new String[] {"test-login", "--no-such-option", "a"},
                new String[] {"test-login", "-f", store.toString(), "--password", "secret", "a"});
        for (String[] args : bad) {
            Run r = run(args);
            assertEquals(64, r.code, () -> String.join(" ", args) + ": " + r);
            assertEquals(1, r.err.lines().count(), r.err);
            assertTrue(r.err.startsWith("sasldb-authd test-login: "), r.err);
            assertFalse(r.err.contains("Exception"), r.err);
            assertEquals("", r.out);
        }
    }

    @Test
    void withoutSocketOrStoreTheConfigurationFileNamesTheSocket() throws Exception {
        Run none = run("test-login", "--password-file", pwFile.toString(), "alice");
        assertEquals(64, none.code, none::toString);
        assertTrue(none.err.contains("the configuration file names no dovecot-socket; give --socket PATH"), none.err);

        Path conf = Files.writeString(dir.resolve("authd.conf"), "dovecot-socket = " + dir.resolve("gone") + "\n");
        Run fromFile = run("test-login", "--config", conf.toString(), "--password-file", pwFile.toString(), "alice");
        assertEquals(69, fromFile.code, fromFile::toString);
        assertTrue(fromFile.err.startsWith("sasldb-authd test-login: cannot connect to " + dir.resolve("gone")), fromFile.err);
    }

    @Test
    void unreachableSocketOrStoreExits69() {
        Run socket = run("test-login", "--socket", dir.resolve("none").toString(), "--password-file",
                pwFile.toString(), "alice");
        assertEquals(69, socket.code, socket::toString);
        assertEquals(1, socket.err.lines().count(), socket.err);
        assertEquals("", socket.out);
        Run storeMissing = run("test-login", "-f", dir.resolve("none").toString(), "--password-file",
                pwFile.toString(), "alice");
        assertEquals(69, storeMissing.code, storeMissing::toString);
        assertEquals(1, storeMissing.err.lines().count(), storeMissing.err);
    }

    @Test
    void helpListsTheExitStatuses() {
        Run r = run("test-login", "--help");
        assertEquals(0, r.code);
        for (String s : List.of("--socket", "--mechanism", "--password-file", "--remote-ip", "64", "69", "75")) {
            assertTrue(r.out.contains(s), s);
        }
    }

    @Test
    void reachedAfterDaemonOptionsItStillAnswersAsTestLogin() {
        Run bad = run("--log-level", "INFO", "test-login", "--bogus", "a");
        assertEquals(64, bad.code, bad::toString);
        assertTrue(bad.err.startsWith("sasldb-authd test-login: "), bad.err);
        Run ok = run("--log-level", "INFO", "test-login", "-f", store.toString(), "--password-file",
                pwFile.toString(), "alice");
        assertEquals(0, ok.code, ok::toString);
        assertTrue(ok.out.startsWith("login: ok\n"), ok.out);
    }

    @Test
    void theDaemonsHelpNamesTheSubcommand() {
        Run r = run("--help");
        assertEquals(0, r.code);
        assertTrue(r.out.contains("test-login"), r.out);
    }
}
