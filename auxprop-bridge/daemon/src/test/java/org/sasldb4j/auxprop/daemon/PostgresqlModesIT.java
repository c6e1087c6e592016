package org.sasldb4j.auxprop.daemon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code sasldb-authd} process against a real private PostgreSQL cluster
 * (scripts/pg-cluster.sh), in both modes of docs/replica.md:
 * <ul>
 *   <li>{@code --replica-of NAME -f FILE}: a change, a deletion and a disable made on the
 *       database reach logins; the database halted, logins still work from the replica; a change
 *       made after it comes back propagates; a node started while the database is down serves
 *       its replica; the metrics show the replica's state;</li>
 *   <li>{@code -f postgresql://…}: logins read the database; the database paused (SIGSTOP, as a
 *       lost network), a login is answered with a temporary failure, never a wrong password.</li>
 * </ul>
 * Propagation is awaited by polling with a generous bound; nothing asserts a wall-clock time.
 */
class PostgresqlModesIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path clusterDir;
    static int port;
    static String password;

    @TempDir
    Path dir;
    Path run;
    final List<Process> daemons = new ArrayList<>();

    static Path script() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path s = d.resolve("scripts/pg-cluster.sh");
            if (Files.isRegularFile(s)) {
                return s;
            }
        }
        throw new AssertionError("scripts/pg-cluster.sh not found");
    }

    static void cluster(String command) throws Exception {
        Process p = new ProcessBuilder("bash", script().toString(), command, clusterDir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertEquals(0, p.waitFor(), "pg-cluster.sh " + command + ": " + out);
    }

    @BeforeAll
    static void startCluster() throws Exception {
        cluster("start");
        port = Integer.parseInt(Files.readString(clusterDir.resolve("port")).strip());
        password = Files.readAllLines(clusterDir.resolve("pgpass")).stream().filter(l -> l.contains(":sasldb4j:"))
                .map(l -> l.substring(l.lastIndexOf(':') + 1)).findFirst().orElseThrow();
        String schema;
        try (InputStream in = PostgresqlModesIT.class.getResourceAsStream("/org/sasldb4j/store/postgresql/schema-1.sql")) {
            schema = new String(in.readAllBytes(), UTF_8);
        }
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : schema.split("(?m)^;;\\s*$")) {
                if (!s.strip().isEmpty()) {
                    st.execute(s);
                }
            }
            c.commit();
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster("stop");
    }

    @BeforeEach
    void setUp() throws Exception {
        cluster("start"); // back up if a failed test left it halted
        cluster("resume");
        sql("TRUNCATE sasldb4j.records");
        run = Files.createDirectory(dir.resolve("run"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
    }

    @AfterEach
    void stopDaemons() throws Exception {
        for (Process p : daemons) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        cluster("resume");
    }

    static Connection connect() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "sasldb4j");
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "5");
        Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/sasldb4j", p);
        c.setAutoCommit(false);
        return c;
    }

    static void sql(String... statements) throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
            c.commit();
        }
    }

    static void put(String authid, String property, String value) throws Exception {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO sasldb4j.records"
                + " VALUES (?, 'example.org', ?, ?) ON CONFLICT (authid, realm, property) DO UPDATE SET value = excluded.value")) {
            ps.setString(1, authid);
            ps.setString(2, property);
            ps.setBytes(3, value.getBytes(UTF_8));
            ps.executeUpdate();
            c.commit();
        }
    }

    /** The store's address; the password comes from the cluster's pgpass file (PGPASSFILE). */
    static String url() {
        return "postgresql://sasldb4j@127.0.0.1:" + port + "/sasldb4j";
    }

    private Path mux(String node) {
        return run.resolve(node + ".mux");
    }

    private Path log(String node) {
        return dir.resolve(node + ".log");
    }

    private Process daemon(String node, String... options) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                AuthdCommand.class.getName(), "--config", dir.resolve("none.conf").toString(), "--realm", "example.org",
                "--saslauthd-socket", mux(node).toString(), "--failure-delay", "0s", "--throttle", "off",
                "--secrets", "plaintext"));
        cmd.addAll(List.of(options));
        Files.writeString(dir.resolve("none.conf"), "# empty\n");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log(node).toFile());
        pb.environment().put("PGPASSFILE", clusterDir.resolve("pgpass").toString());
        Process p = pb.start();
        daemons.add(p);
        await(node + " listening; log:\n" + logText(node), () -> Files.exists(mux(node)) || !p.isAlive());
        assertTrue(p.isAlive(), "the daemon exited: " + logText(node));
        return p;
    }

    private String logText(String node) {
        try {
            return Files.exists(log(node)) ? Files.readString(log(node)) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** OK, NO, or null for a temporary failure (the daemon closes without an answer). */
    private String login(String node, String user, String pw) throws IOException {
        String r = SaslauthdClient.ask(mux(node), user, pw, "smtp", "");
        return r == null ? null : r.startsWith("OK") ? "OK" : r.startsWith("NO") ? "NO" : r;
    }

    private void awaitLogin(String node, String user, String pw, String expected) throws Exception {
        await(node + ": " + user + "/" + pw + " answered " + expected, () -> {
            try {
                return java.util.Objects.equals(expected, login(node, user, pw));
            } catch (IOException e) {
                return false;
            }
        });
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not seen within " + WAIT.toSeconds() + " s: " + what);
            }
            Thread.sleep(50);
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String metrics(int metricsPort) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + metricsPort + "/metrics").toURL()
                .openConnection();
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), UTF_8);
        }
    }

    @Test
    void replicaFollowsTheDatabaseAndServesThroughAnOutage() throws Exception {
        put("alice", "userPassword", "one");
        put("bob", "userPassword", "bobpw");
        Path replica = dir.resolve("sasldb2");
        int metricsPort = freePort();
        daemon("a", "--replica-of", url(), "-f", replica.toString(), "--metrics", "127.0.0.1:" + metricsPort);
        assertEquals("OK", login("a", "alice", "one"));
        assertTrue(logText("a").contains("first copy of " + url() + " done: 2 users"), logText("a"));

        put("alice", "userPassword", "two");
        awaitLogin("a", "alice", "two", "OK");
        assertEquals("NO", login("a", "alice", "one"), "the old password");
        put("bob", "sasldb4j.disabled", "1");
        awaitLogin("a", "bob", "bobpw", "NO");
        sql("DELETE FROM sasldb4j.records WHERE authid = 'alice'");
        awaitLogin("a", "alice", "two", "NO");
        put("alice", "userPassword", "three");
        awaitLogin("a", "alice", "three", "OK");
        String m = metrics(metricsPort);
        assertTrue(m.contains("sasldb_authd_replica_state{state=\"following\"} 1.0"), m);
        assertTrue(m.contains("sasldb_authd_replica_applied_seq "), m);
        assertTrue(m.contains("sasldb_authd_replica_staleness_seconds "), m);

        cluster("halt");
        await("the replica reports the outage; log:\n" + logText("a"),
                () -> logText("a").contains("unreachable") && logText("a").contains("serving the last copy"));
        assertEquals("OK", login("a", "alice", "three"), "served from the replica while the database is down");
        assertEquals("NO", login("a", "bob", "bobpw"), "still disabled");
        String down = metrics(metricsPort);
        assertTrue(down.contains("sasldb_authd_replica_state{state=\"unreachable\"} 1.0"), down);

        cluster("start");
        put("alice", "userPassword", "four");
        awaitLogin("a", "alice", "four", "OK");
        await("caught up in the log", () -> logText("a").contains("reachable again; caught up"));
    }

    @Test
    void aNodeStartedWhileTheDatabaseIsDownServesItsReplica() throws Exception {
        put("carol", "userPassword", "c1");
        Path replica = dir.resolve("sasldb2");
        Process first = daemon("b", "--replica-of", url(), "-f", replica.toString());
        assertEquals("OK", login("b", "carol", "c1"));
        first.destroy();
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        Files.deleteIfExists(mux("b"));

        cluster("halt");
        daemon("b", "--replica-of", url(), "-f", replica.toString());
        assertEquals("OK", login("b", "carol", "c1"), "served from the replica file");
        assertTrue(logText("b").contains("serving the existing copy"), logText("b"));
        cluster("start");
        put("carol", "userPassword", "c2");
        awaitLogin("b", "carol", "c2", "OK");
    }

    @Test
    void directModeAnswersTemporaryFailureWhileTheDatabaseIsPaused() throws Exception {
        put("dave", "userPassword", "d1");
        daemon("c", "-f", url(), "--pool-size", "2", "--pool-wait", "1s");
        assertEquals("OK", login("c", "dave", "d1"));
        assertEquals("NO", login("c", "dave", "wrong"));
        put("dave", "userPassword", "d2");
        assertEquals("OK", login("c", "dave", "d2"), "read from the database at each login");
        assertTrue(logText("c").contains("directly (at most 2 connections"), logText("c"));

        cluster("pause");
        try {
            // A temporary failure (no answer, the connection closed), never "NO": bounded by the
            // pool wait and the query timeout, well inside the client's own 60 s bound.
            assertNull(login("c", "dave", "d2"), "temporary failure while paused; log:\n" + logText("c"));
            assertNull(login("c", "dave", "d2"));
        } finally {
            cluster("resume");
        }
        awaitLogin("c", "dave", "d2", "OK");
    }

    @Test
    void checkConfigReachesTheDatabase() throws Exception {
        String[] r = authd("--config", dir.resolve("none.conf").toString(), "--saslauthd-socket", mux("e").toString(),
                "-f", url(), "--check-config");
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].contains("configuration OK"), r[1]);
    }

    @Test
    void aPasswordInTheAddressOnTheCommandLineIsRefused() throws Exception {
        String[] r = authd("--config", dir.resolve("none.conf").toString(), "--saslauthd-socket", mux("d").toString(),
                "--replica-of", "postgresql://sasldb4j:hunter2@127.0.0.1:" + port + "/sasldb4j", "-f",
                dir.resolve("r").toString());
        assertTrue(!r[0].equals("0"), "refused: " + r[1]);
        assertTrue(r[1].contains("a password on the command line is refused"), r[1]);
        assertTrue(!r[1].contains("hunter2"), "the password is never printed: " + r[1]);
    }

    /**
     * {@code sasldb-authd ARGS} run to its end in a process of its own, with PGPASSFILE and an
     * empty configuration file {@code none.conf}: its exit status and its output.
     */
    private String[] authd(String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Files.writeString(dir.resolve("none.conf"), "# empty\n");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                AuthdCommand.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PGPASSFILE", clusterDir.resolve("pgpass").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new String[] {String.valueOf(p.exitValue()), out};
    }

    /** {@code sasldb-authd test-login ARGS} with the password in a file (see {@link #authd}). */
    private String[] testLogin(String password, String... args) throws Exception {
        Path pw = dir.resolve("pw");
        Files.writeString(pw, password);
        List<String> all = new ArrayList<>(List.of("test-login", "--config", dir.resolve("none.conf").toString(),
                "--realm", "example.org", "--password-file", pw.toString()));
        all.addAll(List.of(args));
        return authd(all.toArray(new String[0]));
    }

    @Test
    void testLoginChecksAPostgresqlStore() throws Exception {
        put("erin", "userPassword", "e1");
        String[] ok = testLogin("e1", "-f", url(), "erin");
        assertEquals("0", ok[0], ok[1]);
        assertTrue(ok[1].contains("login: ok"), ok[1]);
        assertTrue(ok[1].contains("via: " + url() + " (PostgreSQL store, read-only)"), ok[1]);
        String[] wrong = testLogin("nope", "-f", url(), "-m", "SCRAM-SHA-256", "erin");
        assertEquals("1", wrong[0], wrong[1]);
        assertTrue(wrong[1].contains("login: refused"), wrong[1]);
        String[] unknown = testLogin("x", "-f", url(), "nobody");
        assertEquals("1", unknown[0], unknown[1]);
        String[] onArgv = testLogin("e1", "-f", "postgresql://sasldb4j:hunter2@127.0.0.1:" + port + "/sasldb4j", "erin");
        assertEquals("64", onArgv[0], onArgv[1]);
        assertTrue(onArgv[1].contains("refusing a password in the store address"), onArgv[1]);
        assertTrue(!onArgv[1].contains("hunter2"), "the password is never printed: " + onArgv[1]);
        cluster("halt");
        try {
            String[] down = testLogin("e1", "-f", url(), "erin");
            assertEquals("69", down[0], down[1]);
            assertTrue(!down[1].contains("Exception") && !down[1].contains("\tat "), "one line, no stack trace: " + down[1]);
        } finally {
            cluster("start");
        }
    }
}
