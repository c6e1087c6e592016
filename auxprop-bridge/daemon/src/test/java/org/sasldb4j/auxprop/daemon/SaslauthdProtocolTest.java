package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sasldb4j.auxprop.daemon.SaslauthdClient.ask;
import static org.sasldb4j.auxprop.daemon.SaslauthdClient.askRaw;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The saslauthd protocol (docs/reference/protocols.md §1): counted strings in, OK/NO out, one per connection. */
class SaslauthdProtocolTest extends WithDaemon {
    /** Only stops a hung test: nothing here is measured against the clock. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);
    /** A failure delay no test waits for: a reply held by it can only come from its timer task. */
    private static final Duration HOUR = Duration.ofHours(1);
    @Test
    void observedExchange() throws Exception {
        // 0005 616c696365 0007 616c6963657077 0004 736d7470 0000 -> 0002 4f4b
        byte[] req = {0, 5, 'a', 'l', 'i', 'c', 'e', 0, 7, 'a', 'l', 'i', 'c', 'e', 'p', 'w', 0, 4, 's', 'm', 't', 'p', 0, 0};
        assertEquals("OK", askRaw(fx.saslauthd(), req));
        assertEquals("NO", ask(fx.saslauthd(), "alice", "wrong", "smtp", ""));
        assertEquals("NO", ask(fx.saslauthd(), "nobody", "wrong", "smtp", ""));
    }

    @Test
    void realmFieldAndAtSignMeanTheSameUser() throws Exception {
        assertEquals("OK", ask(fx.saslauthd(), "bob", "bob pw ✓", "smtp", "other.test"));
        assertEquals("OK", ask(fx.saslauthd(), "bob@other.test", "bob pw ✓", "smtp", ""));
        assertEquals("NO", ask(fx.saslauthd(), "bob", "bob pw ✓", "smtp", ""));
        assertEquals("OK", ask(fx.saslauthd(), "alice", "alicepw", "imap", "example.org"));
    }

    @Test
    void hashedOnlyUserLogsIn() throws Exception {
        assertEquals("OK", ask(fx.saslauthd(), "argon", "argonpw", "smtp", ""));
    }

    @Test
    void emptyFieldsAndLimits() throws Exception {
        assertEquals("NO NULL login received", ask(fx.saslauthd(), "", "x", "smtp", ""));
        assertEquals("NO NULL password received", ask(fx.saslauthd(), "alice", "", "smtp", ""));
        assertEquals("NO", ask(fx.saslauthd(), "a".repeat(257), "x", "smtp", ""));
        assertEquals("NO", ask(fx.saslauthd(), "alice", "x".repeat(257), "smtp", ""));
        // 256 bytes is still allowed
        fx.backend.user("u", "p".repeat(256));
        assertEquals("OK", ask(fx.saslauthd(), "u", "p".repeat(256), "smtp", ""));
    }

    @Test
    void storeFailureClosesWithoutAReply() throws Exception {
        fx.backend.broken = true;
        // libsasl reads a closed connection as SASL_FAIL (Postfix: 454), any NO as a wrong password.
        assertEquals(null, ask(fx.saslauthd(), "alice", "alicepw", "smtp", ""));
    }

    @Test
    void fifthFieldIsOptIn() throws Exception {
        fx.close();
        fx = DaemonFixture.start(DaemonSettings.forTests("example.org").withSaslauthdClientAddress(true),
                DaemonFixture.users(), 0, Duration.ZERO);
        assertEquals("OK", ask(fx.saslauthd(), "alice", "alicepw", "smtp", "", "192.0.2.7"));
    }

    @Test
    void incompleteRequestTimesOut() throws Exception {
        fx.close();
        // The I/O timeout is the only one of the three that applies to a saslauthd connection.
        fx = DaemonFixture.start(DaemonSettings.forTests("example.org")
                .withTimeouts(HOUR, HOUR, Duration.ofMillis(300)),
                DaemonFixture.users(), 0, Duration.ZERO);
        // Three fields only: the server waits for the fourth, then gives up and closes (no reply).
        // Without the I/O timeout the read would block forever and the hang guard would fail it.
        assertEquals(null, assertTimeoutPreemptively(HANG_GUARD,
                () -> askRaw(fx.saslauthd(), new byte[] {0, 1, 'a', 0, 1, 'b', 0, 0})));
    }

    @Test
    void failureDelayAppliesToNo() throws Exception {
        fx.close();
        fx = DaemonFixture.start(DaemonSettings.forTests("example.org").withFailureDelay(HOUR),
                DaemonFixture.users(), 0, Duration.ZERO);
        // Success is not delayed: with an hour's delay it could not arrive within the guard.
        assertEquals("OK", assertTimeoutPreemptively(HANG_GUARD, () -> ask(fx.saslauthd(), "alice", "alicepw", "smtp", "")));
        assertEquals(List.of(), fx.timerTasksDueAfter(HOUR.minusMinutes(1)), "nothing held back");
        // A failure is held by one timer task due in (almost) an hour; the client has no answer yet.
        CompletableFuture<String> no = CompletableFuture.supplyAsync(() -> {
            try {
                return ask(fx.saslauthd(), "alice", "bad", "smtp", "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        RunnableScheduledFuture<?> held = fx.awaitTimerTaskDueAfter(HOUR.minusMinutes(1));
        assertFalse(no.isDone(), "the NO is held back");
        fx.runNow(held); // as if the hour had passed
        assertEquals("NO", no.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void cacheSkipsTheSecondVerification() throws Exception {
        fx.close();
        fx = DaemonFixture.start(DaemonSettings.forTests("example.org"), DaemonFixture.users(), 0, Duration.ofSeconds(30));
        assertEquals("OK", ask(fx.saslauthd(), "alice", "alicepw", "smtp", ""));
        assertEquals("OK", ask(fx.saslauthd(), "alice", "alicepw", "smtp", ""));
        assertEquals(1, fx.backend.checks.get());
        // A wrong password is never answered from the cache.
        assertEquals("NO", ask(fx.saslauthd(), "alice", "alicepw2", "smtp", ""));
        assertEquals(2, fx.backend.checks.get());
        fx.daemon.reload();
        assertEquals("OK", ask(fx.saslauthd(), "alice", "alicepw", "smtp", ""));
        assertEquals(3, fx.backend.checks.get());
    }

    @Test
    void memoryBudgetQueuesAndTimesOutAsTemporaryFailure() throws Exception {
        fx.close();
        // Budget of one verification (cost 1024 KiB), queue timeout 300 ms.
        fx = DaemonFixture.start(DaemonSettings.forTests("example.org"), DaemonFixture.users(), 1024, Duration.ZERO);
        FakeBackend.Gate gate = new FakeBackend.Gate();
        fx.backend.gate = gate;
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return ask(fx.saslauthd(), "alice", "alicepw", "smtp", "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        // The first verification is running and holds the whole budget until the gate opens.
        assertTrue(gate.entered.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS), "first verification started");
        // Closed unanswered: libsasl reads it as SASL_FAIL (Postfix 454).
        assertEquals(null, ask(fx.saslauthd(), "alice", "alicepw", "smtp", ""));
        assertEquals(1, fx.backend.checks.get(), "the second request never reached the store");
        gate.release.countDown();
        assertEquals("OK", first.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS));
    }
}
