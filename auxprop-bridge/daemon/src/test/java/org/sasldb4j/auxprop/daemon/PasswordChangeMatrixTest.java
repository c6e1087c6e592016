package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sasldb4j.auxprop.daemon.DovecotClient.b64;
import static org.sasldb4j.auxprop.daemon.SaslauthdClient.ask;

import com.ongres.scram.client.ScramClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.auxprop.sasl.BridgeCallbackHandler;
import org.sasldb4j.auxprop.sasl.BridgeSaslServerFactory;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.saslpasswd.SaslpasswdCommand;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.SecretSet;

/**
 * Issue 8 §5: after a password change only the new password verifies, for every combination of
 * the secrets a user had before and the secrets the change stores, and on every path: the
 * {@code javax.security.sasl} provider (PLAIN, CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256) and both
 * protocols of the daemon (Dovecot PLAIN, saslauthd). Each change is made by the real
 * {@code saslpasswd}, once as a single-user command and once as a {@code --batch} line. Cyrus's
 * {@code saslpasswd2 -n} keeps an old plaintext {@code userPassword}, which every mechanism uses
 * first: the old password kept working and the new one failed. This test replays that.
 *
 * <p>All users live in one LMDB store (one row of the table = two users), so the daemon and the
 * provider are started once.
 */
@Tag("attack")
class PasswordChangeMatrixTest {
    static final String REALM = "example.org";
    /** The secret sets a change can store ({@code --schemes}), and what the user may have had before. */
    private static final List<String> NEW_SETS = List.of("plaintext", "argon2id", "scram-sha-1", "scram-sha-256",
            "cram-md5", "hashed", "plaintext,hashed");
    /** Old sets: the same, plus the legacy Cyrus secrets saslpasswd2 of old wrote (OTP and SRP included). */
    private static final List<String> OLD_SETS = concat(NEW_SETS, "legacy");
    private static final List<String> MECHANISMS = List.of("PLAIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256");

    private static Path dir;
    private static Path db;
    private static List<Row> rows;

    /** One user: what it had, how it was changed, and with which passwords. */
    record Row(String user, String oldSet, String newSet, boolean batch, String oldPw, String newPw) {
        @Override
        public String toString() {
            return user + " (" + oldSet + " -> " + newSet + (batch ? ", --batch" : "") + ")";
        }
    }

    @BeforeAll
    static void changeEveryCombination() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "pwchange",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        db = dir.resolve("sasldb");
        rows = changeEveryCombination(db, "lmdb");
    }

    /**
     * Gives every user of the table its old secrets, then changes each password with the real
     * saslpasswd (single-user command or {@code --batch}), in a new store of kind {@code backend}.
     */
    static List<Row> changeEveryCombination(Path db, String backend) throws Exception {
        List<Row> rows = new ArrayList<>();
        int n = 0;
        for (String oldSet : OLD_SETS) {
            for (String newSet : NEW_SETS) {
                for (boolean batch : new boolean[] {false, true}) {
                    n++;
                    rows.add(new Row("u" + n, oldSet, newSet, batch, "old pw " + n, "new pw " + n));
                }
            }
        }
        for (Row r : rows) {
            setOld(db, backend, r);
        }
        for (Row r : rows) {
            if (!r.batch()) {
                tool(r.newPw(), "-p", "-f", db.toString(), "--schemes", r.newSet(), r.user() + "@" + REALM);
            }
        }
        for (String newSet : NEW_SETS) {
            StringBuilder batch = new StringBuilder();
            rows.stream().filter(r -> r.batch() && r.newSet().equals(newSet))
                    .forEach(r -> batch.append("add ").append(r.user()).append('@').append(REALM).append(' ')
                            .append(r.newPw()).append('\n'));
            tool(batch.toString(), "-f", db.toString(), "--schemes", newSet, "--batch", "-");
        }
        return rows;
    }

    @AfterAll
    static void removeStore() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void onlyTheNewPasswordVerifiesThroughTheProvider() throws Exception {
        List<String> wrong = new ArrayList<>();
        try (AuxpropBridge bridge = AuxpropBridge.open(db, BridgeConfig.of(REALM).withPolicy(SecretSet.PLAINTEXT))) {
            BridgeCallbackHandler handler = BridgeCallbackHandler.of(bridge);
            for (Row r : rows) {
                for (String mech : MECHANISMS) {
                    expect(wrong, r, "provider " + mech + " old", false, provider(handler, mech, r.user(), r.oldPw()));
                    expect(wrong, r, "provider " + mech + " new", serves(r.newSet(), mech),
                            provider(handler, mech, r.user(), r.newPw()));
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void onlyTheNewPasswordVerifiesThroughBothDaemonProtocols() throws Exception {
        BridgeConfig bc = BridgeConfig.of(REALM).withPolicy(SecretSet.PLAINTEXT);
        DaemonConfig cfg = new DaemonConfig(dir.resolve("auth"), dir.resolve("mux"), null, 16,
                DaemonSettings.forTests(REALM), 64 * 1024, 1024, Duration.ofSeconds(5), Duration.ZERO);
        List<String> wrong = new ArrayList<>();
        try (AuthDaemon daemon = AuthDaemon.start(cfg, () -> BridgeBackend.open(db, bc, "mail." + REALM));
                DovecotClient c = DovecotClient.postfix(dir.resolve("auth"))) {
            int id = 0;
            for (Row r : rows) {
                for (boolean old : new boolean[] {true, false}) {
                    String pw = old ? r.oldPw() : r.newPw();
                    String what = old ? " old" : " new";
                    id++;
                    c.send("AUTH\t" + id + "\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp="
                            + b64("\0" + r.user() + "\0" + pw));
                    expect(wrong, r, "dovecot PLAIN" + what, !old, c.readLine().startsWith("OK\t" + id + "\t"));
                    expect(wrong, r, "saslauthd" + what, !old,
                            ask(dir.resolve("mux"), r.user(), pw, "smtp", REALM).equals("OK"));
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    /** Whether a user holding only {@code set} can use {@code mech} (PLAIN works from any secret). */
    static boolean serves(String set, String mech) {
        List<String> kinds = List.of(set.replace("hashed", "argon2id,scram-sha-1,scram-sha-256").split(","));
        return switch (mech) {
            case "PLAIN" -> true;
            case "CRAM-MD5" -> kinds.contains("plaintext") || kinds.contains("cram-md5");
            default -> kinds.contains("plaintext") || kinds.contains(mech.toLowerCase(java.util.Locale.ROOT));
        };
    }

    private static void expect(List<String> wrong, Row r, String path, boolean want, boolean got) {
        if (want != got) {
            wrong.add(r + ": " + path + (want ? " refused" : " accepted"));
        }
    }

    private static void setOld(Path db, String backend, Row r) throws Exception {
        if (!r.oldSet().equals("legacy")) {
            tool(r.oldPw(), "-p", "-f", db.toString(), "--backend", backend, "--schemes", r.oldSet(),
                    r.user() + "@" + REALM);
            return;
        }
        UserId u = UserId.of(r.user(), REALM);
        byte[] cyrusPlain = org.sasldb4j.auxprop.TestStore.cyrusPlain(r.oldPw());
        byte[] cram = org.sasldb4j.store.secret.CramMd5Context.fromPassword(r.oldPw().toCharArray()).toCyrusLegacy();
        try (CredentialStore s = CredentialStore.open(db, StoreOptions.create()
                .withBackend(org.sasldb4j.store.Backend.parse(backend)))) {
            s.update(w -> {
                w.put(u, "cmusaslsecretPLAIN", cyrusPlain);
                w.put(u, "cmusaslsecretCRAM-MD5", cram);
                w.put(u, "cmusaslsecretOTP", "md5 499 seed 0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
                w.put(u, "cmusaslsecretSRP", new byte[] {1, 2, 3});
            });
        }
    }

    private static void tool(String stdin, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliEnvironment env = CliEnvironment.builder()
                .stdin(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)))
                .stdout(new ByteArrayOutputStream())
                .stderr(new PrintStream(err, true, StandardCharsets.UTF_8))
                .hostname("mail." + REALM)
                .build();
        int rc = SaslpasswdCommand.run(env, args);
        assertEquals(0, rc, String.join(" ", args) + ": " + err.toString(StandardCharsets.UTF_8));
        assertEquals("", err.toString(StandardCharsets.UTF_8), "no warning: nothing of the old password is kept");
    }

    /** True if the provider's server completes {@code mech} for this user and password. */
    private static boolean provider(BridgeCallbackHandler handler, String mech, String user, String pw)
            throws Exception {
        SaslServer server = new BridgeSaslServerFactory().createSaslServer(mech, "smtp", REALM, Map.of(), handler);
        try {
            if (mech.startsWith("SCRAM-")) {
                ScramClient client = ScramClient.builder().advertisedMechanisms(List.of(mech)).username(user)
                        .password(pw.toCharArray()).build();
                String first = utf8(server.evaluateResponse(bytes(client.clientFirstMessage().toString())));
                client.serverFirstMessage(first);
                String last = utf8(server.evaluateResponse(bytes(client.clientFinalMessage().toString())));
                client.serverFinalMessage(last);
                return server.isComplete();
            }
            SaslClient client = Sasl.createSaslClient(new String[] {mech}, null, "smtp", REALM, Map.of(),
                    (Callback[] cbs) -> {
                        for (Callback c : cbs) {
                            if (c instanceof NameCallback nc) {
                                nc.setName(user);
                            } else if (c instanceof PasswordCallback pc) {
                                pc.setPassword(pw.toCharArray());
                            }
                        }
                    });
            byte[] toServer = client.hasInitialResponse() ? client.evaluateChallenge(new byte[0]) : new byte[0];
            for (int round = 0; round < 5 && !server.isComplete(); round++) {
                byte[] challenge = server.evaluateResponse(toServer);
                if (!server.isComplete()) {
                    toServer = client.evaluateChallenge(challenge);
                }
            }
            return server.isComplete();
        } catch (Exception e) {
            // A refused proof, or a client that gives up on the server's answer.
            return false;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> out = new ArrayList<>(a);
        out.add(b);
        return List.copyOf(out);
    }
}
