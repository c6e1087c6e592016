package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sasldb4j.auxprop.daemon.DovecotClient.HANG_GUARD_MILLIS;
import static org.sasldb4j.auxprop.daemon.DovecotClient.b64;
import static org.sasldb4j.auxprop.daemon.DovecotClient.unb64;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.RunnableScheduledFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The Dovecot auth-client protocol as Postfix speaks it: the exchanges of docs/reference/protocols.md §2.6
 * replayed line by line, plus the failure, expiry and limit cases Postfix relies on.
 */
class DovecotProtocolTest extends WithDaemon {
    @Test
    void handshakeSendsMechLinesBeforeSpidWithDovecotFlags() throws Exception {
        try (DovecotClient c = new DovecotClient(fx.dovecot())) {
            List<String> hs = c.handshake();
            assertEquals("VERSION\t1\t2", hs.get(0));
            assertEquals(List.of("MECH\tPLAIN\tplaintext", "MECH\tLOGIN\tplaintext", "MECH\tCRAM-MD5\tdictionary\tactive",
                    "MECH\tSCRAM-SHA-1\tmutual-auth", "MECH\tSCRAM-SHA-256\tmutual-auth"), hs.subList(1, 6));
            assertEquals("SPID\t" + ProcessHandle.current().pid(), hs.get(6));
            assertTrue(hs.get(7).matches("CUID\t[0-9]+"), hs.get(7));
            assertTrue(hs.get(8).matches("COOKIE\t[0-9a-f]{32}"), hs.get(8));
            assertEquals("DONE", hs.get(9));
            assertEquals(10, hs.size());
        }
    }

    @Test
    void mechanismListIsConfigurable() throws Exception {
        fx.close();
        fx = DaemonFixture.start(DaemonSettings.forTests("example.org")
                .withMechanisms(Mechanism.parseList(List.of("cram-md5, PLAIN"))), DaemonFixture.users(), 0, Duration.ZERO);
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t1\tLOGIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1");
            assertEquals("FAIL\t1\treason=Unsupported authentication mechanism", c.readLine());
        }
        try (DovecotClient c = new DovecotClient(fx.dovecot())) {
            List<String> hs = c.handshake();
            assertEquals(List.of("MECH\tCRAM-MD5\tdictionary\tactive", "MECH\tPLAIN\tplaintext"), hs.subList(1, 3));
            assertTrue(hs.get(3).startsWith("SPID\t"));
        }
    }

    @Test
    void recordedPostfixExchanges() throws Exception {
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            // PLAIN with initial response
            c.send("AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=AGFsaWNlAGFsaWNlcHc=");
            assertEquals("OK\t1\tuser=alice@example.org", c.readLine());
            // PLAIN without initial response: the empty challenge keeps its third field
            c.send("AUTH\t2\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1");
            assertEquals("CONT\t2\t", c.readLine());
            c.send("CONT\t2\tAGFsaWNlAGFsaWNlcHc=");
            assertEquals("OK\t2\tuser=alice@example.org", c.readLine());
            // LOGIN
            c.send("AUTH\t3\tLOGIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1");
            assertEquals("CONT\t3\tVXNlcm5hbWU6", c.readLine());
            c.send("CONT\t3\tYWxpY2U=");
            assertEquals("CONT\t3\tUGFzc3dvcmQ6", c.readLine());
            c.send("CONT\t3\tYWxpY2Vwdw==");
            assertEquals("OK\t3\tuser=alice@example.org", c.readLine());
            // CRAM-MD5 through the JDK's own SaslServer
            c.send("AUTH\t7\tCRAM-MD5\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1");
            String cont = c.readLine();
            assertTrue(cont.startsWith("CONT\t7\t"), cont);
            String challenge = unb64(cont.substring(7));
            assertTrue(challenge.matches("<.+@.+>"), challenge);
            c.send("CONT\t7\t" + b64("alice " + hmacMd5("alicepw", challenge)));
            assertEquals("OK\t7\tuser=alice@example.org", c.readLine());
        }
    }

    @Test
    void loginInitialResponseIsTheUserName() throws Exception {
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t1\tLOGIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=" + b64("alice"));
            assertEquals("CONT\t1\tUGFzc3dvcmQ6", c.readLine());
            c.send("CONT\t1\t" + b64("alicepw"));
            assertEquals("OK\t1\tuser=alice@example.org", c.readLine());
        }
    }

    @Test
    void unknownUserAndWrongPasswordFailAlike() throws Exception {
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=10.0.0.9\tresp=" + b64("\0alice\0wrong"));
            String wrong = c.readLine();
            c.send("AUTH\t2\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=10.0.0.9\tresp=" + b64("\0nobody\0wrong"));
            String unknown = c.readLine();
            assertEquals("FAIL\t1\treason=authentication failure", wrong);
            assertEquals(wrong.replace("\t1\t", "\t2\t"), unknown);
        }
    }

    @Test
    void otherRealmAndUtf8Password() throws Exception {
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=" + b64("\0bob@other.test\0bob pw ✓"));
            assertEquals("OK\t1\tuser=bob@other.test", c.readLine());
            c.send("AUTH\t2\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=" + b64("\0bob\0bob pw ✓"));
            assertEquals("FAIL\t2\treason=authentication failure", c.readLine());
        }
    }

    @Test
    void userWithoutSuitableSecretFailsThatMechanismCleanly() throws Exception {
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t1\tCRAM-MD5\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1");
            String challenge = unb64(c.readLine().substring(7));
            c.send("CONT\t1\t" + b64("argon " + hmacMd5("argonpw", challenge)));
            assertEquals("FAIL\t1\treason=authentication failure", c.readLine());
            // ... while PLAIN works for the same user, on the same connection
            c.send("AUTH\t2\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=" + b64("\0argon\0argonpw"));
            assertEquals("OK\t2\tuser=argon@example.org", c.readLine());
        }
    }

    /**
     * Postfix turns every FAIL into 535 and only a lost connection into 454: a temporary failure
     * closes the connection without a FAIL, on the first step as on a later one, and the client's
     * next connection is served normally.
     */
    @Test
    void storeFailureClosesTheConnectionInsteadOfFail() throws Exception {
        fx.backend.broken = true;
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=" + b64("\0alice\0alicepw"));
            assertEquals(null, c.readLine(), "closed, no FAIL line");
        }
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t2\tCRAM-MD5\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1");
            String challenge = unb64(c.readLine().substring(7));
            c.send("CONT\t2\t" + b64("alice " + hmacMd5("alicepw", challenge)));
            assertEquals(null, c.readLine(), "closed, no FAIL line");
        }
        fx.backend.broken = false;
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t3\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=" + b64("\0alice\0alicepw"));
            assertEquals("OK\t3\tuser=alice@example.org", c.readLine());
        }
    }

    /** A full hashing queue is a temporary failure too: the connection is closed, not FAILed. */
    @Test
    void fullHashingQueueClosesTheConnection() throws Exception {
        fx.close();
        fx = DaemonFixture.start(DaemonSettings.forTests("example.org"), DaemonFixture.users(), 1024, Duration.ZERO);
        // The whole budget held (as by a long Argon2 verification): the next one waits 300 ms, then gives up.
        try (WorkLimiter.Lease held = fx.daemon.context().limiter().acquire();
                DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t1\tPLAIN\tservice=smtp\tnologin\tresp=" + b64("\0alice\0alicepw"));
            assertEquals(null, c.readLine(HANG_GUARD_MILLIS), "closed, no FAIL line");
        }
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t2\tPLAIN\tservice=smtp\tnologin\tresp=" + b64("\0alice\0alicepw"));
            assertEquals("OK\t2\tuser=alice@example.org", c.readLine());
        }
    }

    @Test
    void abandonedRequestThenHigherIdThenExpiry() throws Exception {
        fx.close();
        // A request timeout no test waits for: the expiry can only come from its timer task.
        Duration hour = Duration.ofHours(1);
        fx = DaemonFixture.start(DaemonSettings.forTests("example.org")
                .withTimeouts(hour, Duration.ofHours(2), Duration.ofHours(2)),
                DaemonFixture.users(), 0, Duration.ZERO);
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t1\tLOGIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1");
            assertEquals("CONT\t1\tVXNlcm5hbWU6", c.readLine());
            // The SMTP client sent "*": Postfix answers 501 itself and starts over with id 2.
            c.send("AUTH\t2\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=" + b64("\0alice\0alicepw"));
            assertEquals("OK\t2\tuser=alice@example.org", c.readLine());
            // Request 1 is still open: one expiry due in (almost) the request timeout.
            RunnableScheduledFuture<?> expiry = fx.awaitTimerTaskDueAfter(hour.minusMinutes(1));
            fx.runNow(expiry); // as if the hour had passed
            assertEquals("FAIL\t1\treason=Authentication request timed out", c.readLine());
            // A late CONT for the expired request
            c.send("CONT\t1\tYWxpY2U=");
            assertEquals("FAIL\t1\treason=Authentication request timed out", c.readLine());
        }
    }

    @Test
    void failureIsDelayedSuccessIsNot() throws Exception {
        fx.close();
        // A failure delay no test waits for: the FAIL can only come from the timer task holding it.
        Duration hour = Duration.ofHours(1);
        fx = DaemonFixture.start(DaemonSettings.forTests("example.org").withFailureDelay(hour),
                DaemonFixture.users(), 0, Duration.ZERO);
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=" + b64("\0alice\0nope"));
            // Meanwhile the connection keeps serving: Postfix would not do this, but nothing blocks.
            c.send("AUTH\t2\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=" + b64("\0alice\0alicepw"));
            // Success is not delayed: it arrives, and before the failure asked for first.
            assertEquals("OK\t2\tuser=alice@example.org", c.readLine());
            // The failure is held by one timer task due in (almost) the hour.
            RunnableScheduledFuture<?> held = fx.awaitTimerTaskDueAfter(hour.minusMinutes(1));
            fx.runNow(held); // as if the hour had passed
            assertEquals("FAIL\t1\treason=authentication failure", c.readLine());
        }
    }

    @Test
    void finalServerDataGoesOutAsChallengeWithoutFinalRespOk() throws Exception {
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t1\tSCRAM-SHA-256\tservice=smtp\tnologin\tresp=" + b64("alice"));
            assertEquals("CONT\t1\t" + b64("v=final"), c.readLine());
            c.send("CONT\t1\t");
            assertEquals("OK\t1\tuser=alice@example.org", c.readLine());
            c.send("AUTH\t2\tSCRAM-SHA-256\tservice=imap\tfinal-resp-ok\tresp=" + b64("alice"));
            assertEquals("OK\t2\tuser=alice@example.org\tresp=" + b64("v=final"), c.readLine());
        }
    }

    @Test
    void badBase64FailsTheRequestOnly() throws Exception {
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t1\tPLAIN\tservice=smtp\tresp=!!!");
            assertEquals("FAIL\t1\treason=Invalid base64 data in initial response", c.readLine());
            c.send("AUTH\t2\tPLAIN\tservice=smtp");
            assertEquals("CONT\t2\t", c.readLine());
            c.send("CONT\t2\t%%%");
            assertEquals("FAIL\t2\treason=Invalid base64 data in continued response", c.readLine());
            c.send("AUTH\t3\tplain\tservice=smtp\tunknown-flag\tx=y\tresp=" + b64("\0alice\0alicepw"));
            assertEquals("OK\t3\tuser=alice@example.org", c.readLine());
        }
    }

    @Test
    void brokenClientsAreDisconnected() throws Exception {
        for (String bad : List.of("AUTH\t1\tPLAIN", "HELLO", "VERSION\t2\t0")) {
            try (DovecotClient c = new DovecotClient(fx.dovecot())) {
                c.handshake();
                c.send(bad);
                assertTrue(c.closedWithin(HANG_GUARD_MILLIS), bad);
            }
        }
        for (String bad : List.of("CONT\t1", "AUTH\tx\tPLAIN", "AUTH\t0\tPLAIN", "AUTH\t99999999999\tPLAIN",
                "AUTH\t1\tPLAIN\tservice=\001x", "AUTH\t1")) {
            try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
                c.send(bad);
                assertTrue(c.closedWithin(HANG_GUARD_MILLIS), bad);
            }
        }
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t5\tLOGIN\tservice=smtp");
            assertEquals("CONT\t5\tVXNlcm5hbWU6", c.readLine());
            c.send("AUTH\t5\tLOGIN\tservice=smtp");
            assertTrue(c.closedWithin(HANG_GUARD_MILLIS), "duplicate id");
        }
    }

    @Test
    void lineLengthIsBounded() throws Exception {
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            // 16384 bytes is still a line ...
            String pad = "x".repeat(16384 - "AUTH\t1\tPLAIN\tservice=smtp\tpad=".length());
            c.send("AUTH\t1\tPLAIN\tservice=smtp\tpad=" + pad);
            assertEquals("CONT\t1\t", c.readLine());
            // ... one more byte is not
            c.send("AUTH\t2\tPLAIN\tservice=smtp\tpad=" + pad + "y");
            assertTrue(c.closedWithin(HANG_GUARD_MILLIS));
        }
    }

    @Test
    void userNamesAreEscapedOnOk() throws Exception {
        fx.backend.user("tab\tuser", "pw");
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            c.send("AUTH\t1\tPLAIN\tservice=smtp\tresp=" + b64("\0tab\tuser\0pw"));
            assertEquals("OK\t1\tuser=tab\001tuser@example.org", c.readLine());
        }
    }

    static String hmacMd5(String key, String challenge) throws Exception {
        Mac mac = Mac.getInstance("HmacMD5");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
        return HexFormat.of().formatHex(mac.doFinal(challenge.getBytes(StandardCharsets.UTF_8)));
    }
}
