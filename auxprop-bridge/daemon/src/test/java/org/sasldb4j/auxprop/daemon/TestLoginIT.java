package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.DefaultRealm;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.Argon2Parameters;
import org.sasldb4j.store.secret.CramMd5Context;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretSet;

/**
 * {@code sasldb-authd test-login} against a running daemon (its real Dovecot socket, over a real
 * store) and against the store directly: every mechanism with the right password, a wrong one,
 * an unknown user and disabled accounts; the exit status of each, the reasons store mode gives,
 * and the temporary failure when the daemon's store disappears.
 */
class TestLoginIT {
    static final String REALM = "example.org";
    static final Argon2Parameters CHEAP = new Argon2Parameters(256, 1, 1, 16, 32);
    static final List<String> MECHANISMS =
            List.of("PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256");

    /** User -> its password and the mechanisms it can log in with (the rule of docs/format.md). */
    static final Map<String, String> PASSWORDS = new LinkedHashMap<>();
    static final Map<String, List<String>> WORKS = new LinkedHashMap<>();

    static Path dir;
    static Path store;
    static Path socket;
    static AuthDaemon daemon;

    record Run(int code, String out, String err) {}

    @BeforeAll
    static void startDaemon() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "test-login",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        store = dir.resolve("sasldb");
        socket = dir.resolve("auth");
        List<Entry> records = new ArrayList<>();
        user(records, "plain", "plain-pw", MECHANISMS);
        records.add(Entry.of(id("plain"), SecretProperties.USER_PASSWORD, utf8("plain-pw")));
        user(records, "hashed", "hashed-pw", List.of("PLAIN", "LOGIN", "SCRAM-SHA-1", "SCRAM-SHA-256"));
        records.addAll(SecretSet.HASHED.withArgon2(CHEAP).encode(id("hashed"), "hashed-pw".toCharArray()));
        user(records, "cram", "cram-pw", List.of("PLAIN", "LOGIN", "CRAM-MD5"));
        records.add(Entry.of(id("cram"), SecretProperties.CRAM_MD5,
                utf8(CramMd5Context.fromPassword("cram-pw".toCharArray()).toDovecot())));
        user(records, "plainoff", "plainoff-pw", List.of());
        records.add(Entry.of(id("plainoff"), SecretProperties.USER_PASSWORD, utf8("plainoff-pw")));
        records.add(Entry.of(id("plainoff"), SecretProperties.DISABLED, utf8("disabled")));
        user(records, "hashedoff", "hashedoff-pw", List.of());
        records.addAll(SecretSet.HASHED.withArgon2(CHEAP).encode(id("hashedoff"), "hashedoff-pw".toCharArray()));
        records.add(Entry.of(id("hashedoff"), SecretProperties.DISABLED, utf8("disabled")));
        user(records, "broken", "broken-pw", List.of());
        records.add(Entry.of(id("broken"), SecretProperties.ARGON2ID, utf8("$argon2id$not-a-hash")));
        user(records, "nobody", "nobody-pw", List.of());
        try (CredentialStore s = CredentialStore.open(store, StoreOptions.create())) {
            s.update(w -> records.forEach(w::put));
        }
        DaemonSettings settings = new DaemonSettings(Mechanism.parseList(MECHANISMS), REALM, Duration.ZERO,
                Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofSeconds(5), DaemonSettings.DEFAULT_MAX_LINE,
                64, false);
        DaemonConfig config = new DaemonConfig(socket, null, null, 16, settings, 0, 1024, Duration.ofSeconds(5),
                Duration.ZERO);
        BridgeConfig bridge = BridgeConfig.of(REALM).withUserRealm(REALM).withPolicy(SecretSet.HASHED.withArgon2(CHEAP));
        daemon = AuthDaemon.start(config, () -> BridgeBackend.open(store, bridge, REALM));
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void user(List<Entry> records, String name, String password, List<String> works) {
        PASSWORDS.put(name, password);
        WORKS.put(name, works);
    }

    private static UserId id(String name) {
        return UserId.of(name, REALM);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs {@code sasldb-authd test-login ARGS} in this process with the password in a private file. */
    static Run testLogin(String password, String... args) throws Exception {
        Path pw = Files.createTempFile(dir, "pw", "");
        Files.writeString(pw, password);
        List<String> all = new ArrayList<>(List.of("test-login", "--password-file", pw.toString()));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliEnvironment env = CliEnvironment.builder().hostname("vm").env(DefaultRealm.ENV, REALM).stdout(out)
                .stderr(new PrintStream(err, true, StandardCharsets.UTF_8)).build();
        try {
            int code = AuthdCommand.run(env, dir.resolve("no.conf"), all.toArray(new String[0]));
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            Files.delete(pw);
        }
    }

    @Test
    void everyMechanismThroughTheSocketAsPostfixAsks() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (String user : PASSWORDS.keySet()) {
            for (String mech : MECHANISMS) {
                boolean works = WORKS.get(user).contains(mech);
                Run right = testLogin(PASSWORDS.get(user), "--socket", socket.toString(), "-m", mech, user);
                check(wrong, user + " " + mech + " right password", works ? 0 : 1, right);
                if (works) {
                    expect(wrong, right, "login: ok\nuser: " + user + "@" + REALM + "\nmechanism: " + mech + "\nvia: "
                            + socket + " (Dovecot socket, as Postfix asks)\n");
                } else {
                    expect(wrong, right, "reason: " + SocketLogin.NO_REASON + "\n");
                }
                Run bad = testLogin("Wrong-" + user, "--socket", socket.toString(), "-m", mech, user);
                check(wrong, user + " " + mech + " wrong password", 1, bad);
                expect(wrong, bad, "login: refused\nuser: " + user + "\n");
                if ((right.out + right.err + bad.out + bad.err).contains(PASSWORDS.get(user))
                        || (bad.out + bad.err).contains("Wrong-")) {
                    wrong.add(user + " " + mech + ": a password was printed");
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void everyMechanismAgainstTheStoreWithReasons() throws Exception {
        Map<String, String> reasons = new LinkedHashMap<>();
        reasons.put("plainoff", "disabled account");
        reasons.put("hashedoff", "disabled account");
        reasons.put("broken", "");
        reasons.put("nobody", "unknown user: the store has no records for this user@realm");
        List<String> wrong = new ArrayList<>();
        for (String user : PASSWORDS.keySet()) {
            for (String mech : MECHANISMS) {
                boolean works = WORKS.get(user).contains(mech);
                Run right = testLogin(PASSWORDS.get(user), "-f", store.toString(), "-m", mech, user);
                check(wrong, user + " " + mech + " right password", works ? 0 : 1, right);
                expect(wrong, right, "user: " + user + "@" + REALM + "\n");
                if (works) {
                    expect(wrong, right, "\nsecret: ");
                } else if (reasons.containsKey(user)) {
                    expect(wrong, right, "reason: " + reasons.get(user));
                } else {
                    expect(wrong, right, "reason: no secret able to serve " + mech + " (the user has ");
                }
                Run bad = testLogin("Wrong-" + user, "-f", store.toString(), "-m", mech, user);
                check(wrong, user + " " + mech + " wrong password", 1, bad);
                expect(wrong, bad, "login: refused\n");
                if (works) {
                    expect(wrong, bad, "reason: wrong password");
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void storeModeNamesTheSecretThatServedEachMechanism() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("hashed PLAIN", "sasldb4j.argon2id, sasldb4j.scram-sha-256, authPassword");
        expected.put("hashed SCRAM-SHA-256", "sasldb4j.scram-sha-256");
        expected.put("hashed SCRAM-SHA-1", "authPassword");
        expected.put("cram CRAM-MD5", "sasldb4j.cram-md5");
        expected.put("plain DIGEST-MD5", "userPassword");
        expected.put("plain SCRAM-SHA-256", "userPassword");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String[] um = e.getKey().split(" ");
            Run r = testLogin(PASSWORDS.get(um[0]), "-f", store.toString(), "-m", um[1], um[0]);
            assertEquals(0, r.code, r::toString);
            assertTrue(r.out.contains("\nsecret: " + e.getValue() + "\n"), e.getKey() + ": " + r.out);
        }
    }

    @Test
    void storeModeTellsTheDisabledAccountsPasswordAndMalformedSecrets() throws Exception {
        Run off = testLogin("hashedoff-pw", "-f", store.toString(), "hashedoff");
        assertTrue(off.out.contains("reason: disabled account (the password is right); saslpasswd --enable allows it\n"),
                off.out);
        Run offWrong = testLogin("nope", "-f", store.toString(), "hashedoff");
        assertTrue(offWrong.out.contains("reason: disabled account (and the password is wrong)"), offWrong.out);
        Run broken = testLogin("broken-pw", "-f", store.toString(), "broken");
        assertEquals(1, broken.code);
        assertTrue(broken.out.contains("reason: malformed stored secret: sasldb4j.argon2id cannot be read;"), broken.out);
    }

    @Test
    void aVanishedStoreIsATemporaryFailureThroughTheSocket() throws Exception {
        Path other = dir.resolve("other");
        Files.createDirectory(other);
        Path otherStore = other.resolve("sasldb");
        Files.copy(store, otherStore);
        Path otherSocket = other.resolve("auth");
        DaemonConfig config = new DaemonConfig(otherSocket, null, null, 16, DaemonSettings.forTests(REALM), 0, 1024,
                Duration.ofSeconds(5), Duration.ZERO);
        BridgeConfig bridge = BridgeConfig.of(REALM).withPolicy(SecretSet.PLAINTEXT);
        try (AuthDaemon d = AuthDaemon.start(config, () -> BridgeBackend.open(otherStore, bridge, REALM))) {
            assertEquals(0, testLogin("plain-pw", "--socket", otherSocket.toString(), "plain").code);
            Files.delete(otherStore);
            // The bridge notices within its check interval; polling bounds a hung test only.
            Run r = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                r = testLogin("plain-pw", "--socket", otherSocket.toString(), "plain");
                if (r.code != 0) {
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals(75, r.code, r::toString);
            assertTrue(r.out.startsWith("login: temporary failure\n"), r.out);
            assertTrue(r.out.contains("reason: the daemon closed the connection: its temporary failure"), r.out);
        }
        Run gone = testLogin("plain-pw", "--socket", otherSocket.toString(), "plain");
        assertEquals(69, gone.code, "no daemon any more: " + gone);
    }

    private static void check(List<String> wrong, String what, int expected, Run r) {
        if (r.code != expected) {
            wrong.add(what + ": exit " + r.code + " instead of " + expected + ": " + r.out + r.err);
        }
    }

    private static void expect(List<String> wrong, Run r, String text) {
        if (!r.out.contains(text)) {
            wrong.add("missing '" + text + "' in: " + r.out + r.err);
        }
    }
}
