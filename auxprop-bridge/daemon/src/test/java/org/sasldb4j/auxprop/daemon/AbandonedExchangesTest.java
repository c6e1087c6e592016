package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sasldb4j.auxprop.daemon.DovecotClient.b64;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The attack of SMTP clients answering {@code *} to every challenge: Postfix never tells the
 * daemon, so every aborted exchange is a request left open on that smtpd's connection. However
 * many there are, the oldest is dropped when the limit is reached and a new login is never
 * refused.
 */
@Tag("attack")
class AbandonedExchangesTest {
    private static final int LIMIT = 8;

    @Test
    void abandonedExchangesNeverRefuseALogin() throws Exception {
        DaemonSettings s = new DaemonSettings(Mechanism.parseList(Mechanism.DEFAULT_NAMES), "example.org",
                Duration.ZERO, Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofSeconds(5),
                DaemonSettings.DEFAULT_MAX_LINE, LIMIT, false);
        try (DaemonFixture fx = DaemonFixture.start(s, DaemonFixture.users(), 0, Duration.ZERO);
                DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            // What the daemon should hold: the open requests of this connection, oldest first.
            Deque<Integer> open = new ArrayDeque<>();
            int id = 0;
            for (int round = 0; round < 5; round++) {
                // 9 aborted LOGIN exchanges, as one SMTP session under smtpd's error limits.
                for (int i = 0; i < 9; i++) {
                    id++;
                    c.send("AUTH\t" + id + "\tLOGIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=192.0.2.66");
                    expectEviction(c, open);
                    assertEquals("CONT\t" + id + "\tVXNlcm5hbWU6", c.readLine());
                    open.addLast(id);
                }
                // ... and the next legitimate login on the same connection succeeds.
                id++;
                c.send("AUTH\t" + id + "\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=192.0.2.7\tresp="
                        + b64("\0alice\0alicepw"));
                expectEviction(c, open);
                assertEquals("OK\t" + id + "\tuser=alice@example.org", c.readLine());
            }
            assertEquals(LIMIT - 1, open.size());
        }
    }

    /** At the limit, the oldest open request is failed (and only then). */
    private static void expectEviction(DovecotClient c, Deque<Integer> open) throws Exception {
        if (open.size() >= LIMIT) {
            assertEquals("FAIL\t" + open.pollFirst() + "\treason=Authentication request timed out", c.readLine());
        }
    }
}
