package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A client that sends thousands of made-up mechanism names (or protocol garbage) must not grow
 * the metrics without bound: every label value comes from a fixed set, so the scrape stays the
 * same size however many names are tried.
 */
@Tag("attack")
class MetricsLabelFloodAttackTest extends WithDaemon {
    private static final int NAMES = 500;

    @Test
    void madeUpMechanismNamesAllCountAsOther() throws Exception {
        int port = fx.daemon.serveMetrics(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
            for (int i = 1; i <= NAMES; i++) {
                c.send("AUTH\t" + i + "\tX-FLOOD-" + i + "\tservice=smtp\tnologin\trip=192.0.2.1");
                assertTrue(c.readLine().startsWith("FAIL\t" + i + "\t"));
            }
            c.send("AUTH\t" + (NAMES + 1) + "\tplain\tservice=smtp\tnologin\trip=192.0.2.1\tresp="
                    + DovecotClient.b64("\0alice\0alicepw"));
            assertTrue(c.readLine().startsWith("OK\t"), "a mechanism name in lower case is still that mechanism");
        }
        String text = scrape(port);
        assertFalse(text.contains("X-FLOOD"), "no client text in the metrics");
        assertEquals(NAMES, MetricsEndpointIT.sum(text, "sasldb_authd_logins_total",
                Map.of("mechanism", "other", "reason", "unsupported_mechanism")), text);
        assertEquals(1, MetricsEndpointIT.sum(text, "sasldb_authd_logins_total",
                Map.of("mechanism", "PLAIN", "result", "ok")), text);
        long series = text.lines().filter(l -> l.startsWith("sasldb_authd_logins_total{")).count();
        assertEquals(2, series, "one series for all the made-up names, one for PLAIN:\n" + text);
    }

    @Test
    void labelValuesComeFromFixedSets() {
        assertEquals("other", MetricsEndpoint.mechanismLabel("X-ANYTHING"));
        assertEquals("other", MetricsEndpoint.mechanismLabel(null));
        assertEquals("SCRAM-SHA-256", MetricsEndpoint.mechanismLabel("scram-sha-256"));
        assertEquals("saslauthd", MetricsEndpoint.mechanismLabel("saslauthd"));
        assertEquals("other", MetricsEndpoint.protocolLabel("http"));
        assertEquals("dovecot", MetricsEndpoint.protocolLabel("dovecot"));
    }

    private static String scrape(int port) throws Exception {
        HttpURLConnection h = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/metrics").toURL()
                .openConnection();
        try {
            assertEquals(200, h.getResponseCode());
            return new String(h.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            h.disconnect();
        }
    }
}
