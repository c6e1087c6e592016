package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sasldb4j.auxprop.daemon.EverySecretEveryPathTest.concat;
import static org.sasldb4j.auxprop.daemon.EverySecretEveryPathTest.counted;
import static org.sasldb4j.auxprop.daemon.EverySecretEveryPathTest.utf8;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.security.sasl.SaslException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.LogLines;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretSet;

/**
 * Every failure reason through every mechanism and the saslauthd protocol, on a real daemon over
 * a real store: the log line names the reason, the canonical user and the realm rule, and the
 * client's answer is the same bytes whatever the reason.
 */
class FailureReasonsLoggedTest {
    static final String REALM = "example.org";
    static final List<String> MECHANISMS = EverySecretEveryPathTest.MECHANISMS;

    private Path dir;
    private Path db;
    private final List<String> logged = new ArrayList<>();
    private final LogLines capture = new LogLines(logged, m -> m.startsWith("auth "));

    @BeforeEach
    void createStore() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "reasons",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        db = dir.resolve("sasldb");
        List<Entry> records = new ArrayList<>();
        records.add(Entry.of(user("alice"), SecretProperties.USER_PASSWORD, utf8("alice-pw")));
        records.addAll(SecretSet.HASHED.withArgon2(EverySecretEveryPathTest.CHEAP)
                .encode(user("hashed"), "hashed-pw".toCharArray()));
        records.add(Entry.of(user("off"), SecretProperties.USER_PASSWORD, utf8("off-pw")));
        records.add(Entry.of(user("off"), SecretProperties.DISABLED, utf8("disabled")));
        records.add(Entry.of(user("empty"), SecretProperties.USER_PASSWORD, new byte[0]));
        records.add(Entry.of(user("badcram"), SecretProperties.CRAM_MD5, utf8("{CRAM-MD5}not-hex")));
        records.add(Entry.of(user("badscram"), SecretProperties.SCRAM_SHA_256, utf8("{SCRAM-SHA-256}garbage")));
        try (CredentialStore s = CredentialStore.open(db, StoreOptions.create())) {
            s.update(w -> records.forEach(w::put));
        }
        AuthLog.LOGGER.addHandler(capture);
    }

    @AfterEach
    void cleanUp() throws Exception {
        AuthLog.LOGGER.removeHandler(capture);
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static UserId user(String name) {
        return UserId.of(name, REALM);
    }

    /** user, password, mechanism (or saslauthd) -> the reason the log must give. */
    private static Map<String, String> cases() {
        Map<String, String> c = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(MECHANISMS);
        all.add("saslauthd");
        for (String m : all) {
            c.put("alice wrong-pw " + m, "wrong_password");
            c.put("nobody nobody-pw " + m, "unknown_user");
            c.put("off off-pw " + m, "disabled");
            c.put("off wrong-pw " + m, "disabled");
            c.put("empty empty-pw " + m, "no_secret_for_mechanism");
        }
        c.put("hashed wrong-pw PLAIN", "wrong_password");
        c.put("hashed wrong-pw SCRAM-SHA-256", "wrong_password");
        c.put("hashed hashed-pw CRAM-MD5", "no_secret_for_mechanism");
        c.put("hashed hashed-pw DIGEST-MD5", "no_secret_for_mechanism");
        c.put("badcram cram-pw CRAM-MD5", "malformed_secret");
        c.put("badcram cram-pw PLAIN", "malformed_secret");
        c.put("badcram cram-pw saslauthd", "malformed_secret");
        c.put("badscram scram-pw SCRAM-SHA-256", "malformed_secret");
        c.put("badscram scram-pw SCRAM-SHA-1", "no_secret_for_mechanism");
        return c;
    }

    /** Attack: telling unknown users, disabled accounts or missing secrets by the reply, now that the log can. */
    @Test
    @Tag("attack")
    void everyReasonOnEveryPathIsLoggedAndTheClientSeesTheSameAnswer() throws Exception {
        List<String> wrong = new ArrayList<>();
        TreeSet<String> dovecotAnswers = new TreeSet<>();
        TreeSet<String> saslauthdAnswers = new TreeSet<>();
        try (AuthDaemon daemon = startDaemon(); DovecotClient c = DovecotClient.postfix(dir.resolve("auth"))) {
            int id = 1;
            for (Map.Entry<String, String> k : cases().entrySet()) {
                String[] f = k.getKey().split(" ");
                String line;
                if (f[2].equals("saslauthd")) {
                    String reply = SaslauthdClient.askRaw(dir.resolve("mux"),
                            counted(utf8(f[0]), utf8(f[1]), utf8("smtp"), utf8("")));
                    saslauthdAnswers.add(reply);
                    line = lastLogLine();
                } else {
                    Recording ch = new Recording(new EverySecretEveryPathTest.OverDovecot(c, id, f[2]));
                    boolean ok = EverySecretEveryPathTest.login(f[2], f[0], utf8(f[1]), ch);
                    assertFalse(ok, k.getKey() + " logged in");
                    dovecotAnswers.add(ch.failure.replace("\t" + id + "\t", "\tID\t"));
                    id++;
                    line = lastLogLine();
                }
                String expected = " result=fail reason=" + k.getValue() + " rip=127.0.0.1 service=smtp";
                String rule = f[2].equals("DIGEST-MD5") ? "client-realm" : "default-realm";
                String who = " user=" + f[0] + "@" + REALM + " login=" + f[0] + " realm-rule=" + rule;
                if (f[2].equals("saslauthd")) {
                    expected = expected.replace("rip=127.0.0.1", "rip=-");
                }
                if (line == null || !line.endsWith(expected) || !line.contains(who)) {
                    wrong.add(k.getKey() + " -> " + line);
                }
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(1, dovecotAnswers.size(), "the Dovecot client's answers differ: " + dovecotAnswers);
        assertEquals("FAIL\tID\treason=authentication failure", dovecotAnswers.first());
        assertEquals(List.of("NO"), List.copyOf(saslauthdAnswers));
    }

    @Test
    void malformedRequestsAndRefusedAuthorizationAreTold() throws Exception {
        try (AuthDaemon daemon = startDaemon(); DovecotClient c = DovecotClient.postfix(dir.resolve("auth"))) {
            String base = "\tservice=smtp\tnologin\tlip=127.0.0.1\trip=192.0.2.9";
            c.send("AUTH\t1\tPLAIN" + base + "\tresp=" + b64(utf8("no separators")));
            assertEquals("FAIL\t1\treason=authentication failure", c.readLine());
            assertTrue(lastLogLine().contains(" result=fail reason=malformed_request rip=192.0.2.9"), lastLogLine());
            c.send("AUTH\t2\tPLAIN" + base + "\tresp=" + b64(concat(utf8("bob@" + REALM + "\0alice\0"), utf8("alice-pw"))));
            assertEquals("FAIL\t2\treason=authentication failure", c.readLine());
            assertTrue(lastLogLine().contains(" user=alice@" + REALM + " login=alice realm-rule=default-realm"
                    + " result=fail reason=not_authorized rip=192.0.2.9"), lastLogLine());
            c.send("AUTH\t3\tPLAIN" + base + "\tresp=" + b64(concat(utf8("\0alice@" + REALM + "\0"), utf8("x"))));
            assertEquals("FAIL\t3\treason=authentication failure", c.readLine());
            assertTrue(lastLogLine().contains(" user=alice@" + REALM + " login=alice@" + REALM
                    + " realm-rule=login-name result=fail reason=wrong_password"), lastLogLine());
            c.send("AUTH\t4\tPLAIN" + base + "\tresp=" + b64(concat(utf8("\0alice\0"), utf8("alice-pw"))));
            assertEquals("OK\t4\tuser=alice@" + REALM, c.readLine());
            assertEquals("INFO auth dovecot: mech=PLAIN user=alice@" + REALM + " result=ok rip=192.0.2.9 service=smtp",
                    lastLogLine(), "the success line keeps its format (scripts/interop.sh, fail2ban)");
        }
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    private String lastLogLine() {
        synchronized (logged) {
            return logged.isEmpty() ? null : logged.get(logged.size() - 1);
        }
    }

    /** Keeps the line the daemon failed the exchange with. */
    static final class Recording implements EverySecretEveryPathTest.Channel {
        private final EverySecretEveryPathTest.Channel inner;
        String failure;

        Recording(EverySecretEveryPathTest.Channel inner) {
            this.inner = inner;
        }

        @Override
        public byte[] send(byte[] response) throws Exception {
            try {
                return inner.send(response);
            } catch (SaslException e) {
                failure = e.getMessage();
                throw e;
            }
        }
    }

    private AuthDaemon startDaemon() throws Exception {
        // As sasldb-authd --realm example.org: the realm is the user realm too.
        BridgeConfig bc = BridgeConfig.of(REALM).withUserRealm(REALM).withPolicy(SecretSet.PLAINTEXT);
        DaemonSettings base = DaemonSettings.forTests(REALM);
        DaemonSettings settings = new DaemonSettings(Mechanism.parseList(MECHANISMS), REALM, Duration.ZERO,
                base.requestTimeout(), base.idleTimeout(), base.ioTimeout(), base.maxLineLength(),
                base.maxPending(), false);
        DaemonConfig cfg = new DaemonConfig(dir.resolve("auth"), dir.resolve("mux"), null, 16, settings, 64 * 1024,
                1024, Duration.ofSeconds(5), Duration.ZERO);
        return AuthDaemon.start(cfg, () -> BridgeBackend.open(db, bc, REALM));
    }
}
