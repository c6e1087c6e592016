package org.sasldb4j.auxprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.PasswordVerifier.Outcome;
import org.sasldb4j.store.secret.ScramSaltKey;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretSet;

/**
 * {@link LoginRehash} over a real LMDB store: which logins are re-hashed into the target set,
 * what is written and kept, and that a failure never fails the login. Jobs are collected and run
 * by the test, so the order of verification, change and write is the test's.
 */
class LoginRehashTest {
    /** The target: what {@code --rehash-schemes hashed} means, with cheap Argon2 for tests. */
    static final SecretSet TARGET = SecretSet.HASHED.withArgon2(TestStore.CHEAP);

    @TempDir
    Path dir;

    private final List<LoginRehash.Job> jobs = new ArrayList<>();
    private final List<String> audit = new ArrayList<>();
    private final List<LogRecord> logged = new ArrayList<>();
    private final Logger log = Logger.getAnonymousLogger();
    private LoginRehash rehash;
    private TestStore ts;

    @BeforeEach
    void setUp() {
        log.setUseParentHandlers(false);
        log.setLevel(Level.ALL);
        log.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                synchronized (logged) {
                    logged.add(r);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
        rehash = new LoginRehash(TARGET, jobs::add,
                (user, before, after) -> audit.add("rehashed " + user + " " + before + " -> " + after), log);
        ts = TestStore.in(dir);
    }

    @AfterEach
    void tearDown() {
        jobs.forEach(LoginRehash.Job::discard);
    }

    private AuxpropBridge bridge() {
        return AuxpropBridge.open(ts.path(), BridgeConfig.of("vm").withPolicy(TestStore.POLICY), ScramSaltKey.random(),
                log, rehash);
    }

    private List<String> properties(String user) {
        try (CredentialStore s = CredentialStore.open(ts.path(), StoreOptions.readOnly())) {
            return s.user(UserId.of(user, "vm")).stream().map(Entry::property).sorted().toList();
        }
    }

    private static byte[] pw(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final List<String> HASHED_PROPERTIES = List.of(SecretProperties.AUTH_PASSWORD,
            SecretProperties.ARGON2ID, SecretProperties.SCRAM_SHA_256);

    @Test
    void aPlaintextUserEndsInTheTargetSetAndStillLogsIn() {
        ts.put("alice", "vm", "userPassword", "alice pw");
        try (AuxpropBridge b = bridge()) {
            assertTrue(b.rehashesAtLogin());
            assertEquals(Outcome.MATCH, b.verify("alice", null, pw("alice pw")));
            assertEquals(1, jobs.size(), "offered, not run on the verifying thread");
            assertEquals(List.of("userPassword"), properties("alice"));
            jobs.remove(0).run();
            assertEquals(HASHED_PROPERTIES, properties("alice"));
            assertEquals(List.of("rehashed alice@vm [plaintext] -> " + TARGET), audit);
            assertEquals(Outcome.MATCH, b.verify("alice", null, pw("alice pw")));
            assertEquals(Outcome.MISMATCH, b.verify("alice", null, pw("wrong")));
            assertTrue(jobs.isEmpty(), "a user in the target set is not re-hashed again");
            assertEquals(1, rehash.rehashedCount());
        }
    }

    @Test
    void aCharacterPasswordIsRehashedAsItsUtf8() {
        ts.put("jürgen", "vm", "userPassword", "Paßwort ✓");
        try (AuxpropBridge b = bridge()) {
            assertEquals(Outcome.MATCH, b.verify("jürgen", null, "Paßwort ✓".toCharArray()));
            jobs.remove(0).run();
            assertEquals(HASHED_PROPERTIES, properties("jürgen"));
            assertEquals(Outcome.MATCH, b.verify("jürgen", null, pw("Paßwort ✓")));
            assertEquals(Outcome.MATCH, b.verify("jürgen", null, "Paßwort ✓".toCharArray()));
            assertTrue(jobs.isEmpty());
        }
    }

    @Test
    void legacyAndWeakHashesAreReplacedAndWhatTheSetKeepsIsKept() throws Exception {
        ts.put("legacy", "vm", "cmusaslsecretPLAIN", TestStore.cyrusPlain("legacy pw"));
        ts.put("weak", "vm", "any.application.property", "kept");
        try (CredentialStore s = CredentialStore.open(ts.path(), StoreOptions.create())) {
            s.update(w -> SecretSet.HASHED.withArgon2(TestStore.CHEAPER).withScramIterations(4096)
                    .encode(UserId.of("weak", "vm"), "weak pw".toCharArray()).forEach(w::put));
        }
        rehash = new LoginRehash(SecretSet.parse("plaintext,argon2id").withArgon2(TestStore.CHEAP), jobs::add,
                LoginRehash.RehashListener.NONE, log);
        try (AuxpropBridge b = bridge()) {
            assertTrue(b.verify("legacy", null, pw("legacy pw")).authenticated());
            assertTrue(b.verify("weak", null, pw("weak pw")).authenticated());
            assertEquals(2, jobs.size());
            jobs.forEach(LoginRehash.Job::run);
            jobs.clear();
            assertEquals(List.of("sasldb4j.argon2id", "userPassword"), properties("legacy"));
            assertEquals(List.of("any.application.property", "sasldb4j.argon2id", "userPassword"), properties("weak"),
                    "SCRAM keys are not in the set: deleted; other properties untouched");
            assertEquals(Outcome.MATCH, b.verify("weak", null, pw("weak pw")));
            assertEquals(Outcome.MATCH, b.verify("legacy", null, pw("legacy pw")));
            assertTrue(jobs.isEmpty());
        }
    }

    @Test
    void aDisabledAccountIsNeverRehashed() {
        ts.put("carol", "vm", "userPassword", "carol pw");
        ts.put("carol", "vm", SecretProperties.DISABLED, "disabled 2026-01-01T00:00:00Z");
        try (AuxpropBridge b = bridge()) {
            assertEquals(Outcome.DISABLED, b.verify("carol", null, pw("carol pw")));
            assertTrue(jobs.isEmpty());
            assertFalse(rehash.needsRehash(List.of(Entry.of(UserId.of("carol", "vm"), "userPassword", pw("carol pw")),
                    Entry.of(UserId.of("carol", "vm"), SecretProperties.DISABLED, pw("x"))), pw("carol pw"), Outcome.MATCH));
        }
    }

    @Test
    void aWrongPasswordOrAnUnknownUserOffersNothing() {
        ts.put("alice", "vm", "userPassword", "alice pw");
        try (AuxpropBridge b = bridge()) {
            assertEquals(Outcome.MISMATCH, b.verify("alice", null, pw("guess")));
            assertEquals(Outcome.NO_SUCH_USER, b.verify("nobody", null, pw("guess")));
            assertTrue(jobs.isEmpty());
        }
    }

    @Test
    void aLegacySecretBesideAnotherPlaintextIsNotTheDaemonsToResolve() throws Exception {
        ts.put("dave", "vm", "userPassword", "plain pw");
        ts.put("dave", "vm", "cmusaslsecretPLAIN", TestStore.cyrusPlain("legacy pw"));
        try (AuxpropBridge b = bridge()) {
            assertTrue(b.verify("dave", null, pw("legacy pw")).authenticated(), "Cyrus accepts both");
            assertTrue(jobs.isEmpty(), "re-hashing the legacy one would end the plaintext one");
            assertTrue(b.verify("dave", null, pw("plain pw")).authenticated());
            assertEquals(1, jobs.size());
        }
    }

    @Test
    void aChangeBetweenLoginAndWriteIsKept() {
        ts.put("alice", "vm", "userPassword", "old pw");
        try (AuxpropBridge b = bridge()) {
            assertEquals(Outcome.MATCH, b.verify("alice", null, pw("old pw")));
            ts.put("alice", "vm", "userPassword", "new pw"); // the admin's change, committed first
            LoginRehash.Job job = jobs.remove(0);
            job.run();
            assertEquals(LoginRehash.Result.CHANGED_MEANWHILE, job.result());
            assertEquals(List.of("userPassword"), properties("alice"));
            assertEquals(Outcome.MATCH, b.verify("alice", null, pw("new pw")));
            assertEquals(Outcome.MISMATCH, b.verify("alice", null, pw("old pw")));
            assertTrue(audit.isEmpty());
        }
    }

    @Test
    void aReadOnlyStoreLogsOnceAndStillAuthenticates() {
        ts.put("alice", "vm", "userPassword", "alice pw");
        CredentialStore readOnly = CredentialStore.open(ts.path(), StoreOptions.readOnly().readingSecrets());
        try (AuxpropBridge b = new AuxpropBridge(readOnly, BridgeConfig.of("vm").withPolicy(TestStore.POLICY),
                ScramSaltKey.random(), rehash)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(Outcome.MATCH, b.verify("alice", null, pw("alice pw")));
                LoginRehash.Job job = jobs.remove(0);
                job.run();
                assertEquals(LoginRehash.Result.FAILED, job.result());
            }
            assertEquals(List.of("userPassword"), properties("alice"));
        }
        List<LogRecord> warnings = logged.stream().filter(r -> r.getLevel() == Level.WARNING).toList();
        assertEquals(1, warnings.size(), "one WARNING per cause, not one per login");
        assertTrue(warnings.get(0).getMessage().contains("Upgrading hashes as users log in"));
        assertFalse(warnings.get(0).getMessage().contains("alice pw"));
        assertEquals(3, rehash.failedCount());
    }

    @Test
    void aJobTheSchedulerRefusesIsDroppedAndTheLoginStands() {
        ts.put("alice", "vm", "userPassword", "alice pw");
        rehash = new LoginRehash(TARGET, job -> false, LoginRehash.RehashListener.NONE, log);
        try (AuxpropBridge b = bridge()) {
            assertEquals(Outcome.MATCH, b.verify("alice", null, pw("alice pw")));
            assertEquals(1, rehash.droppedCount());
            assertEquals(List.of("userPassword"), properties("alice"));
        }
    }

    @Test
    void repeatedLoginsWhileAJobIsPendingHashOnce() {
        ts.put("alice", "vm", "userPassword", "alice pw");
        try (AuxpropBridge b = bridge()) {
            for (int i = 0; i < 5; i++) {
                assertEquals(Outcome.MATCH, b.verify("alice", null, pw("alice pw")));
            }
            assertEquals(1, jobs.size(), "one pending job per user");
            jobs.remove(0).discard();
            assertEquals(Outcome.MATCH, b.verify("alice", null, pw("alice pw")));
            assertEquals(1, jobs.size(), "a dropped job frees the user for the next login");
            jobs.remove(0).run();
            assertEquals(HASHED_PROPERTIES, properties("alice"));
        }
    }

    @Test
    void aDiscardedJobNeverWrites() {
        ts.put("alice", "vm", "userPassword", "alice pw");
        try (AuxpropBridge b = bridge()) {
            b.verify("alice", null, pw("alice pw"));
            LoginRehash.Job job = jobs.remove(0);
            job.discard();
            job.run();
            assertEquals(LoginRehash.Result.DROPPED, job.result());
            assertEquals(List.of("userPassword"), properties("alice"));
        }
    }
}
