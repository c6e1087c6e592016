package org.sasldb4j.auxprop.daemon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sasldb4j.auxprop.daemon.DovecotClient.b64;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;

/**
 * The real daemon (its command line, in a process of its own) with {@code --metrics}: logins of
 * known outcomes through both sockets, then a scrape of {@code /metrics} whose login counters
 * equal exactly the logins made, and which Debian's {@code promtool check metrics} accepts.
 * Without the option the daemon listens on no TCP port at all.
 */
class MetricsEndpointIT {
    /** Debian's prometheus package; scripts/install-test-deps.sh installs it. */
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    /** This test's own port range (28xxx), away from other tests and a real exporter's 9187. */
    private static final int PORT = Integer.getInteger("metrics.it.port", 28187);
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @TempDir
    Path dir;

    @Test
    void countsEveryLoginExactlyAndPassesPromtool() throws Exception {
        assertTrue(Files.isExecutable(PROMTOOL), PROMTOOL + " is missing: install Debian's prometheus package"
                + " (scripts/install-test-deps.sh)");
        Process daemon = start("--metrics", "127.0.0.1:" + PORT);
        try {
            String before = scrape("/metrics");
            assertEquals(0, sum(before, "sasldb_authd_logins_total", Map.of()), "no login yet:\n" + before);

            Path auth = dir.resolve("run/auth");
            Path mux = dir.resolve("run/mux");
            try (DovecotClient c = DovecotClient.postfix(auth)) {
                int id = 0;
                for (int i = 0; i < 3; i++) {
                    assertTrue(plain(c, ++id, "alice", "secret").startsWith("OK\t"));
                }
                for (int i = 0; i < 2; i++) {
                    assertTrue(plain(c, ++id, "alice", "wrong").startsWith("FAIL\t"));
                }
                assertTrue(plain(c, ++id, "nobody", "secret").startsWith("FAIL\t"));
                c.send("AUTH\t" + (++id) + "\tX-MADE-UP\tservice=smtp\tnologin\trip=127.0.0.1");
                assertTrue(c.readLine(30_000).startsWith("FAIL\t"));
            }
            for (int i = 0; i < 2; i++) {
                assertEquals("OK", SaslauthdClient.ask(mux, "alice", "secret", "smtp", ""));
            }
            assertTrue(SaslauthdClient.ask(mux, "alice", "wrong", "smtp", "").startsWith("NO"));

            String text = scrape("/metrics");
            String m = "sasldb_authd_logins_total";
            assertEquals(3, sum(text, m, Map.of("protocol", "dovecot", "mechanism", "PLAIN", "result", "ok",
                    "reason", "none")), text);
            assertEquals(3, sum(text, m, Map.of("protocol", "dovecot", "mechanism", "PLAIN", "result", "fail")), text);
            assertEquals(1, sum(text, m, Map.of("protocol", "dovecot", "mechanism", "other", "result", "fail",
                    "reason", "unsupported_mechanism")), "a made-up mechanism name is not a label value:\n" + text);
            assertEquals(2, sum(text, m, Map.of("protocol", "saslauthd", "mechanism", "saslauthd", "result", "ok")), text);
            assertEquals(1, sum(text, m, Map.of("protocol", "saslauthd", "result", "fail")), text);
            assertEquals(10, sum(text, m, Map.of()), "nothing else was counted:\n" + text);
            assertEquals(6, sum(text, "sasldb_authd_login_duration_seconds_count", Map.of("protocol", "dovecot",
                    "mechanism", "PLAIN")), text);
            assertEquals(3, sum(text, "sasldb_authd_login_duration_seconds_count", Map.of("protocol", "saslauthd")),
                    text);
            assertFalse(text.contains("X-MADE-UP"), "client input never becomes a label");
            // 127.0.0.1 failed last on the Dovecot socket (the saslauthd requests carry no address).
            assertEquals(1, sum(text, "sasldb_authd_throttled_clients", Map.of()), text);
            assertTrue(sum(text, "sasldb_authd_store_used_bytes", Map.of()) > 0, text);
            assertTrue(sum(text, "sasldb_authd_store_capacity_bytes", Map.of())
                    >= sum(text, "sasldb_authd_store_used_bytes", Map.of()), text);
            assertEquals(126, sum(text, "sasldb_authd_store_reader_slots_max", Map.of()), text);
            assertTrue(sum(text, "sasldb_authd_store_reader_slots_used", Map.of()) >= 1, text);
            assertEquals(512.0 * 1024 * 1024, sum(text, "sasldb_authd_hashing_memory_budget_bytes", Map.of()), text);
            assertEquals(0, sum(text, "sasldb_authd_hashing_memory_used_bytes", Map.of()), "nothing hashing now");
            assertEquals(9, sum(text, "sasldb_authd_hashing_granted_total", Map.of()),
                    "every password verification: 6 PLAIN, 3 saslauthd");
            assertTrue(text.contains("sasldb_authd_connections{protocol=\"dovecot\"}"), text);
            assertTrue(text.contains("\njvm_memory_used_bytes{"), "JVM metrics:\n" + text);

            promtool(text);
            // What Prometheus itself asks for (promtool 2.42 lints only the Prometheus text format).
            String openMetrics = scrapeOpenMetrics();
            assertEquals(10, sum(openMetrics, m, Map.of()), openMetrics);
            assertProtobufServed();
            assertEquals(1, listeningTcpSockets(daemon.pid()), "the metrics port, and nothing else");
        } finally {
            stop(daemon);
        }
    }

    @Test
    void offByDefault() throws Exception {
        Process daemon = start();
        try {
            assertEquals(0, listeningTcpSockets(daemon.pid()), "no TCP port without --metrics");
        } finally {
            stop(daemon);
        }
    }

    /** Starts the daemon on a store holding alice@example.org ("secret") and waits until it answers. */
    private Process start(String... extra) throws Exception {
        Path store = dir.resolve("sasldb2");
        if (!Files.exists(store)) {
            try (CredentialStore s = CredentialStore.open(store, StoreOptions.create())) {
                s.update(w -> w.put(UserId.of("alice", "example.org"), "userPassword", "secret".getBytes(UTF_8)));
            }
            Files.createDirectories(dir.resolve("run"));
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                AuthdCommand.class.getName(), "--config", dir.resolve("none.conf").toString(), "-f", store.toString(),
                "--realm", "example.org", "--secrets", "plaintext", "--failure-delay", "0",
                "--dovecot-socket", dir.resolve("run/auth").toString(),
                "--saslauthd-socket", dir.resolve("run/mux").toString()));
        cmd.addAll(List.of(extra));
        // An empty configuration file: the machine's /etc/sasldb4j/sasldb-authd.conf must not count.
        Files.writeString(dir.resolve("none.conf"), "# empty\n");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        // "serving" is logged once every socket and the metrics endpoint listen.
        while (!log().contains(" serving ")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("the daemon did not start: " + log());
            }
            Thread.sleep(50); // polling another process; no order between events depends on it
        }
        return p;
    }

    private String log() throws IOException {
        Path p = dir.resolve("log");
        return Files.exists(p) ? Files.readString(p) : "";
    }

    private static void stop(Process p) throws Exception {
        p.destroy(); // SIGTERM: a clean stop
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    private static String plain(DovecotClient c, int id, String user, String password) throws Exception {
        c.send("AUTH\t" + id + "\tPLAIN\tservice=smtp\tnologin\trip=127.0.0.1\tresp=" + b64("\0" + user + "\0" + password));
        return c.readLine(30_000);
    }

    private static String scrape(String path) throws IOException {
        HttpURLConnection h = (HttpURLConnection) URI.create("http://127.0.0.1:" + PORT + path).toURL().openConnection();
        try {
            assertEquals(200, h.getResponseCode());
            assertTrue(h.getContentType().startsWith("text/plain"), h.getContentType());
            return new String(h.getInputStream().readAllBytes(), UTF_8);
        } finally {
            h.disconnect();
        }
    }

    /** The OpenMetrics format, as Prometheus asks for it. */
    private static String scrapeOpenMetrics() throws IOException {
        HttpURLConnection h = (HttpURLConnection) URI.create("http://127.0.0.1:" + PORT + "/metrics").toURL()
                .openConnection();
        h.setRequestProperty("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8");
        try {
            assertEquals(200, h.getResponseCode());
            assertTrue(h.getContentType().startsWith("application/openmetrics-text"), h.getContentType());
            String body = new String(h.getInputStream().readAllBytes(), UTF_8);
            assertTrue(body.endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
            return body;
        } finally {
            h.disconnect();
        }
    }

    /** Prometheus with native histograms asks for protobuf first: it must get it, not an error. */
    private static void assertProtobufServed() throws IOException {
        HttpURLConnection h = (HttpURLConnection) URI.create("http://127.0.0.1:" + PORT + "/metrics").toURL()
                .openConnection();
        h.setRequestProperty("Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                + "encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3");
        try {
            assertEquals(200, h.getResponseCode());
            assertTrue(h.getContentType().startsWith("application/vnd.google.protobuf"), h.getContentType());
            assertTrue(h.getInputStream().readAllBytes().length > 0);
        } finally {
            h.disconnect();
        }
    }

    /** Runs {@code promtool check metrics} on {@code text}; it must exit 0 and print no problem. */
    private void promtool(String text) throws Exception {
        Path in = Files.writeString(dir.resolve("scrape"), text);
        Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectInput(in.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "promtool check metrics: " + out);
        assertEquals("", out.strip(), "promtool's findings");
    }

    /** The sum of the samples of {@code name} whose labels include {@code labels}. */
    static double sum(String text, String name, Map<String, String> labels) {
        double total = 0;
        for (String line : text.split("\n")) {
            Matcher s = SAMPLE.matcher(line);
            if (line.startsWith("#") || !s.matches() || !s.group(1).equals(name)) {
                continue;
            }
            Map<String, String> have = new HashMap<>();
            if (s.group(3) != null) {
                Matcher l = LABEL.matcher(s.group(3));
                while (l.find()) {
                    have.put(l.group(1), l.group(2));
                }
            }
            if (have.entrySet().containsAll(labels.entrySet())) {
                total += Double.parseDouble(s.group(4));
            }
        }
        return total;
    }

    /** TCP sockets in LISTEN state held by process {@code pid} (its fds matched with /proc/net/tcp{,6}). */
    static int listeningTcpSockets(long pid) throws IOException {
        Set<String> listening = new HashSet<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            Path t = Path.of(table);
            if (!Files.exists(t)) {
                continue;
            }
            List<String> rows = Files.readAllLines(t);
            for (String row : rows.subList(1, rows.size())) {
                String[] f = row.trim().split("\\s+");
                if (f[3].equals("0A")) { // TCP_LISTEN
                    listening.add(f[9]);
                }
            }
        }
        int n = 0;
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed meanwhile
                }
                if (target.startsWith("socket:[") && listening.contains(target.substring(8, target.length() - 1))) {
                    n++;
                }
            }
        }
        return n;
    }
}
