package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.auxprop.LoginRehash;
import org.sasldb4j.auxprop.TestStore;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.PasswordVerifier.Outcome;
import org.sasldb4j.store.secret.ScramSaltKey;
import org.sasldb4j.store.secret.SecretSet;

/**
 * Re-hash jobs are dropped, never queued without bound nor waited for: when the hashing budget
 * is busy at their turn, or when {@link RehashQueue#CAPACITY} jobs already wait. Logins are
 * unaffected either way.
 */
class RehashQueueTest {
    static final SecretSet TARGET = SecretSet.parse("argon2id").withArgon2(TestStore.CHEAP);
    static final Logger LOG = Logger.getLogger("org.sasldb4j.test.rehash");

    @TempDir
    Path dir;

    private AuxpropBridge bridge(TestStore ts, LoginRehash rehash) {
        return AuxpropBridge.open(ts.path(), BridgeConfig.of("vm").withPolicy(SecretSet.PLAINTEXT),
                ScramSaltKey.random(), LOG, rehash);
    }

    private static byte[] pw(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> properties(TestStore ts, String user) {
        try (CredentialStore s = CredentialStore.open(ts.path(), StoreOptions.readOnly())) {
            return s.user(UserId.of(user, "vm")).stream().map(Entry::property).toList();
        }
    }

    @Test
    void aJobMeetingABusyBudgetIsDroppedAndTheNextLoginRetries() throws Exception {
        TestStore ts = TestStore.in(dir).put("alice", "vm", "userPassword", "alice pw");
        WorkLimiter limiter = new WorkLimiter(1024, 1024, Duration.ofSeconds(1));
        try (RehashQueue queue = new RehashQueue(limiter, 512)) {
            LoginRehash rehash = new LoginRehash(TARGET, queue, LoginRehash.RehashListener.NONE, LOG);
            try (AuxpropBridge b = bridge(ts, rehash)) {
                try (WorkLimiter.Lease busy = limiter.acquire()) { // logins hold the whole budget
                    assertEquals(Outcome.MATCH, b.verify("alice", null, pw("alice pw")));
                    queue.awaitQueued();
                    assertEquals(1, rehash.droppedCount(), "dropped, not waited for");
                    assertEquals(List.of("userPassword"), properties(ts, "alice"));
                }
                assertEquals(Outcome.MATCH, b.verify("alice", null, pw("alice pw")));
                queue.awaitQueued();
                assertEquals(1, rehash.rehashedCount());
                assertEquals(List.of("sasldb4j.argon2id"), properties(ts, "alice"));
            }
        }
    }

    @Test
    void beyondTheQueueJobsAreDroppedAndLoginsGoOn() throws Exception {
        int users = RehashQueue.CAPACITY + 3;
        TestStore ts = TestStore.in(dir);
        try (CredentialStore s = CredentialStore.open(ts.path(), StoreOptions.create())) {
            s.update(w -> {
                for (int i = 0; i < users; i++) {
                    w.put(UserId.of("u" + i, "vm"), "userPassword", pw("pw " + i));
                }
            });
        }
        CountDownLatch firstWritten = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch queuedWritten = new CountDownLatch(1 + RehashQueue.CAPACITY);
        try (RehashQueue queue = new RehashQueue(null, 1)) {
            LoginRehash rehash = new LoginRehash(TARGET, queue, (user, before, after) -> {
                queuedWritten.countDown();
                if (user.authid().equals("u0")) {
                    firstWritten.countDown();
                    await(release); // holds the one worker: the rest of the jobs wait in the queue
                }
            }, LOG);
            try (AuxpropBridge b = bridge(ts, rehash)) {
                assertEquals(Outcome.MATCH, b.verify("u0", null, pw("pw 0")));
                assertTrue(firstWritten.await(60, TimeUnit.SECONDS), "hang guard");
                for (int i = 1; i < users; i++) {
                    assertEquals(Outcome.MATCH, b.verify("u" + i, null, pw("pw " + i)), "login " + i);
                }
                assertEquals(users - 1 - RehashQueue.CAPACITY, rehash.droppedCount(), "only the queue's worth waits");
                assertEquals(RehashQueue.CAPACITY, queue.waiting());
                release.countDown();
                assertTrue(queuedWritten.await(60, TimeUnit.SECONDS), "hang guard");
                assertEquals(1 + RehashQueue.CAPACITY, rehash.rehashedCount());
                assertEquals(List.of("userPassword"), properties(ts, "u" + (users - 1)), "a dropped user waits");
                assertEquals(Outcome.MATCH, b.verify("u" + (users - 1), null, pw("pw " + (users - 1))));
                queue.awaitQueued();
                assertEquals(List.of("sasldb4j.argon2id"), properties(ts, "u" + (users - 1)), "...for its next login");
            }
        } finally {
            release.countDown();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
