package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sasldb4j.auxprop.daemon.DovecotClient.b64;
import static org.sasldb4j.auxprop.daemon.SaslauthdClient.ask;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.auxprop.LoginRehash;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.migration.SasldbconvertCommand;
import org.sasldb4j.saslpasswd.SaslpasswdCommand;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.ScramSaltKey;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretSet;

/**
 * {@code --rehash-on-login} through the real daemon's sockets over a real LMDB store: a store
 * migrated from a real Cyrus sasldb2 ends fully hashed once every user has logged in, with no
 * login failing meanwhile; a password {@code saslpasswd} changes between a login and its
 * re-hash is kept; a disabled account is left alone.
 */
class RehashOnLoginTest {
    static final List<String> HASHED = List.of(SecretProperties.AUTH_PASSWORD, SecretProperties.ARGON2ID,
            SecretProperties.SCRAM_SHA_256);
    /** Guards against a hung test only; nothing is measured. */
    static final long HANG_GUARD_SECONDS = 120;

    @TempDir
    Path dir;

    /** A user of the corpus file and the password Cyrus stored for it. */
    record CorpusUser(String user, String realm, String password) {}

    private DaemonConfig config() {
        // 64 MiB budget: a login (1 MiB) and a re-hash (Argon2id's 19 MiB) always fit together.
        return new DaemonConfig(dir.resolve("auth"), dir.resolve("mux"), null, 16, DaemonSettings.forTests("vm"),
                64 * 1024, 1024, Duration.ofSeconds(5), Duration.ZERO);
    }

    private AuthDaemon start(Path db, WorkLimiter limiter, LoginRehash rehash) throws IOException {
        BridgeConfig bc = BridgeConfig.of("vm").withPolicy(SecretSet.PLAINTEXT);
        return AuthDaemon.start(config(), limiter,
                () -> BridgeBackend.open(db, bc, "vm", ScramSaltKey.random(), rehash));
    }

    @Test
    @Tag("attack")
    void aMigratedCyrusStoreEndsFullyHashedAfterEachUserLogsInOnceAndNoLoginFails() throws Exception {
        Path db = migrate("small");
        List<CorpusUser> users = corpusUsers("small");
        assertEquals(9, users.size());
        CountDownLatch allRehashed = new CountDownLatch(users.size());
        List<String> audit = new CopyOnWriteArrayList<>();
        WorkLimiter limiter = AuthDaemon.limiterFor(config());
        List<String> failed = new ArrayList<>();
        try (RehashQueue queue = new RehashQueue(limiter, SecretSet.HASHED.argon2().memoryKiB())) {
            LoginRehash rehash = new LoginRehash(SecretSet.HASHED, queue, (user, before, after) -> {
                audit.add(user + " " + before);
                allRehashed.countDown();
            }, AuthLog.LOGGER);
            try (AuthDaemon daemon = start(db, limiter, rehash);
                    DovecotClient c = DovecotClient.postfix(dir.resolve("auth"))) {
                AtomicInteger id = new AtomicInteger();
                // Two rounds without waiting: the second meets re-hashes queued, running or done.
                for (int round = 0; round < 2; round++) {
                    for (int i = 0; i < users.size(); i++) {
                        CorpusUser u = users.get(i);
                        String how = (i + round) % 3 == 0 ? "saslauthd" : (i + round) % 3 == 1 ? "PLAIN" : "LOGIN";
                        if (!login(c, id, how, u, u.password())) {
                            failed.add(how + " " + u);
                        }
                    }
                }
                assertTrue(allRehashed.await(HANG_GUARD_SECONDS, TimeUnit.SECONDS), "re-hashed: " + audit);
                for (CorpusUser u : users) {
                    assertEquals(HASHED, passwordProperties(db, u), u + " ends in the hashed set");
                    if (!login(c, id, "PLAIN", u, u.password())) {
                        failed.add("after: " + u);
                    }
                    if (login(c, id, "PLAIN", u, u.password() + "x")) {
                        failed.add("a wrong password after: " + u);
                    }
                }
            }
            assertEquals(List.of(), failed, "no login failed meanwhile");
            assertEquals(users.size(), rehash.rehashedCount(), "each user once: " + audit);
            assertEquals(0, rehash.droppedCount() + rehash.failedCount());
        }
    }

    @Test
    @Tag("attack")
    void aPasswordSaslpasswdChangesBetweenTheLoginAndItsRehashIsKept() throws Exception {
        Path db = dir.resolve("sasldb");
        saslpasswd("old password", "-c", "-p", "-f", db.toString(), "alice@vm");
        List<LoginRehash.Job> held = new CopyOnWriteArrayList<>();
        LoginRehash rehash = new LoginRehash(SecretSet.HASHED, held::add, LoginRehash.RehashListener.NONE,
                AuthLog.LOGGER);
        CorpusUser alice = new CorpusUser("alice", "vm", "old password");
        try (AuthDaemon daemon = start(db, null, rehash);
                DovecotClient c = DovecotClient.postfix(dir.resolve("auth"))) {
            AtomicInteger id = new AtomicInteger();
            assertTrue(login(c, id, "PLAIN", alice, "old password"));
            assertEquals(1, held.size(), "the re-hash waits: the latch between verification and write");
            saslpasswd("new password", "-p", "-f", db.toString(), "alice@vm"); // plaintext, as Cyrus
            LoginRehash.Job job = held.remove(0);
            job.run();
            assertEquals(LoginRehash.Result.CHANGED_MEANWHILE, job.result());
            assertEquals(List.of(SecretProperties.USER_PASSWORD), passwordProperties(db, alice));
            assertTrue(login(c, id, "PLAIN", alice, "new password"), "the new password works");
            assertTrue(login(c, id, "saslauthd", alice, "new password"));
            assertTrue(!login(c, id, "PLAIN", alice, "old password"), "the old one no longer does");
            assertTrue(!login(c, id, "saslauthd", alice, "old password"));
            // The next login with the new password upgrades it.
            held.forEach(LoginRehash.Job::run);
            assertEquals(HASHED, passwordProperties(db, alice));
            assertTrue(login(c, id, "LOGIN", alice, "new password"));
            assertTrue(!login(c, id, "PLAIN", alice, "old password"));
        }
    }

    @Test
    void aDisabledAccountIsNeverRehashed() throws Exception {
        Path db = dir.resolve("sasldb");
        saslpasswd("carol pw", "-c", "-p", "-f", db.toString(), "carol@vm");
        saslpasswd("", "--disable", "-f", db.toString(), "carol@vm");
        List<LoginRehash.Job> held = new CopyOnWriteArrayList<>();
        LoginRehash rehash = new LoginRehash(SecretSet.HASHED, held::add, LoginRehash.RehashListener.NONE,
                AuthLog.LOGGER);
        CorpusUser carol = new CorpusUser("carol", "vm", "carol pw");
        List<byte[]> before = values(db, carol);
        try (AuthDaemon daemon = start(db, null, rehash);
                DovecotClient c = DovecotClient.postfix(dir.resolve("auth"))) {
            AtomicInteger id = new AtomicInteger();
            assertTrue(!login(c, id, "PLAIN", carol, "carol pw"));
            assertTrue(!login(c, id, "saslauthd", carol, "carol pw"));
        }
        assertEquals(List.of(), held, "no job for a disabled account");
        List<byte[]> after = values(db, carol);
        assertEquals(before.size(), after.size());
        for (int i = 0; i < before.size(); i++) {
            assertTrue(java.util.Arrays.equals(before.get(i), after.get(i)), "records untouched");
        }
    }

    /** Logs in with {@code how}: the saslauthd protocol, or Dovecot PLAIN or LOGIN (initial response). */
    private boolean login(DovecotClient c, AtomicInteger id, String how, CorpusUser u, String password)
            throws Exception {
        String name = u.user() + "@" + u.realm();
        if (how.equals("saslauthd")) {
            // The realm in the name, as Postfix sends it; the realm field empty (it would default).
            return ask(dir.resolve("mux"), name, password, "smtp", "").equals("OK");
        }
        int n = id.incrementAndGet();
        String start = "AUTH\t" + n + "\t" + how + "\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1";
        if (how.equals("PLAIN")) {
            c.send(start + "\tresp=" + b64("\0" + name + "\0" + password));
        } else {
            c.send(start + "\tresp=" + b64(name));
            String challenge = c.readLine();
            if (!challenge.startsWith("CONT\t" + n + "\t")) {
                return false;
            }
            c.send("CONT\t" + n + "\t" + b64(password));
        }
        return c.readLine().startsWith("OK\t" + n + "\t");
    }

    /** The real Cyrus file {@code corpus/<name>.sasldb2}, converted with sasldbconvert to an LMDB store. */
    private Path migrate(String name) throws IOException {
        Path source = dir.resolve(name + ".sasldb2");
        try (InputStream in = getClass().getResourceAsStream("/corpus/" + name + ".sasldb2")) {
            Files.copy(in, source);
        }
        Path target = dir.resolve("sasldb");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliEnvironment env = CliEnvironment.builder().stdout(new ByteArrayOutputStream())
                .stderr(new PrintStream(err, true, StandardCharsets.UTF_8)).hostname("vm").build();
        int rc = SasldbconvertCommand.run(env, "-q", source.toString(), target.toString());
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        return target;
    }

    /**
     * The users of {@code corpus/<name>.expected.txt} with their plaintext passwords (every one
     * has one: Cyrus stores nothing else); each logs in as {@code user@realm}.
     */
    private List<CorpusUser> corpusUsers(String name) throws IOException {
        List<CorpusUser> out = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream("/corpus/" + name + ".expected.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] f = line.split("\t", -1);
                if (line.startsWith("#") || f.length != 4 || !f[2].equals("userPassword")) {
                    continue;
                }
                out.add(new CorpusUser(f[0], f[1],
                        new String(HexFormat.of().parseHex(f[3]), StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    private static List<String> passwordProperties(Path db, CorpusUser u) {
        try (CredentialStore s = CredentialStore.open(db, StoreOptions.readOnly())) {
            return s.user(UserId.of(u.user(), u.realm())).stream().map(Entry::property)
                    .filter(SecretProperties.PASSWORD_PROPERTIES::contains).sorted().toList();
        }
    }

    private static List<byte[]> values(Path db, CorpusUser u) {
        try (CredentialStore s = CredentialStore.open(db, StoreOptions.readOnly().readingSecrets())) {
            return s.user(UserId.of(u.user(), u.realm())).stream().map(Entry::value).toList();
        }
    }

    private static void saslpasswd(String stdin, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliEnvironment env = CliEnvironment.builder()
                .stdin(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)))
                .stdout(new ByteArrayOutputStream())
                .stderr(new PrintStream(err, true, StandardCharsets.UTF_8))
                .hostname("vm")
                .build();
        assertEquals(0, SaslpasswdCommand.run(env, args), String.join(" ", args) + ": " + err);
    }
}
