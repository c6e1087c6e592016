package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sasldb4j.auxprop.daemon.DovecotClient.b64;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many Postfix-like connections at once, each with many sequential requests (and abandoned
 * ones), plus saslauthd clients, all against one daemon: every reply goes to the right request.
 */
class ConcurrencyTest {
    @Test
    void manyConnectionsManyRequests() throws Exception {
        try (DaemonFixture fx = DaemonFixture.start(DaemonSettings.forTests("example.org"), DaemonFixture.users(),
                8 * 1024, Duration.ZERO)) {
            int connections = 40;
            int requests = 50;
            ExecutorService pool = Executors.newFixedThreadPool(connections + 8);
            AtomicInteger ok = new AtomicInteger();
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int conn = c;
                futures.add(pool.submit(() -> {
                    try (DovecotClient client = DovecotClient.postfix(fx.dovecot())) {
                        for (int i = 1; i <= requests; i++) {
                            boolean good = (i + conn) % 3 != 0;
                            if (i % 10 == 0) {
                                // An abandoned LOGIN: Postfix moves on with the next id.
                                client.send("AUTH\t" + i + "\tLOGIN\tservice=smtp\trip=127.0.0.1");
                                assertEquals("CONT\t" + i + "\tVXNlcm5hbWU6", client.readLine(DovecotClient.HANG_GUARD_MILLIS));
                                continue;
                            }
                            client.send("AUTH\t" + i + "\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0." + conn
                                    + "\tresp=" + b64("\0alice\0" + (good ? "alicepw" : "bad" + i)));
                            String expect = good ? "OK\t" + i + "\tuser=alice@example.org"
                                    : "FAIL\t" + i + "\treason=authentication failure";
                            assertEquals(expect, client.readLine(DovecotClient.HANG_GUARD_MILLIS));
                            ok.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (int c = 0; c < 8; c++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        assertEquals(i % 2 == 0 ? "OK" : "NO",
                                SaslauthdClient.ask(fx.saslauthd(), "alice", i % 2 == 0 ? "alicepw" : "x", "smtp", ""));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertEquals(connections * (requests - requests / 10), ok.get());
        }
    }
}
