package org.sasldb4j.auxprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.lmdb.ReaderTable;
import org.sasldb4j.store.lmdb.ThreadCrowd;
import org.sasldb4j.store.secret.PasswordVerifier.Outcome;
import org.sasldb4j.store.secret.SecretSet;

/**
 * Thousands of short-lived threads verifying through one bridge (a thread per connection, as
 * an embedding server might do): the LMDB reader slots of this process stay within the bound,
 * as LMDB's own reader table reports them.
 */
class BridgeReaderSlotsTest {
    @TempDir
    Path dir;

    @Test
    void thousandsOfShortLivedThreadsVerifyWithinTheReaderBound() throws Exception {
        TestStore store = TestStore.in(dir).put("alice", "vm", "userPassword", "alicepw");
        try (AuxpropBridge bridge = store.bridge(BridgeConfig.of("vm").withPolicy(SecretSet.PLAINTEXT))) {
            int wrong = ThreadCrowd.run(3000, i -> {
                boolean good = i % 2 == 0;
                Outcome o = bridge.verify("alice", null, (good ? "alicepw" : "nope").toCharArray());
                return (o == Outcome.MATCH) == good;
            });
            assertEquals(0, wrong, "wrong or failed verifications");
            int mine = ReaderTable.ofThisProcess(store.path());
            assertTrue(mine <= ReaderTable.BOUND, "this process holds " + mine + " reader slots");
        }
    }
}
