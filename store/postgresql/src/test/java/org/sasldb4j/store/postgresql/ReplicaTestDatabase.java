package org.sasldb4j.store.postgresql;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;

/**
 * A private PostgreSQL cluster for the replica tests, run by {@code scripts/pg-cluster.sh} (its
 * own port on 127.0.0.1, stopped and deleted by {@link #close()}), with schema v1 created. The
 * replica tests need no more than plain JDBC connections.
 */
final class ReplicaTestDatabase implements AutoCloseable {
    final Path dir;
    final int port;
    private final String password;

    private ReplicaTestDatabase(Path dir) throws IOException {
        this.dir = dir;
        this.port = Integer.parseInt(Files.readString(dir.resolve("port")).strip());
        // The application role's line of the cluster's pgpass file: host:port:db:user:password.
        this.password = Files.readAllLines(dir.resolve("pgpass")).stream().filter(l -> l.contains(":sasldb4j:"))
                .map(l -> l.substring(l.lastIndexOf(':') + 1)).findFirst().orElseThrow();
    }

    static Path script() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path s = d.resolve("scripts/pg-cluster.sh");
            if (Files.isRegularFile(s)) {
                return s;
            }
        }
        throw new AssertionError("scripts/pg-cluster.sh not found above " + Path.of("").toAbsolutePath());
    }

    /** Starts a new cluster in {@code dir} and creates the schema. */
    static ReplicaTestDatabase start(Path dir) throws Exception {
        run("start", dir);
        ReplicaTestDatabase db = new ReplicaTestDatabase(dir);
        try (Connection c = db.connect()) {
            String schema;
            try (InputStream in = ReplicaTestDatabase.class.getResourceAsStream("schema-1.sql")) {
                schema = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            try (Statement st = c.createStatement()) {
                for (String stmt : schema.split("(?m)^;;\\s*$")) {
                    if (!stmt.strip().isEmpty()) {
                        st.execute(stmt);
                    }
                }
            }
            c.commit();
        }
        return db;
    }

    static void run(String command, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", script().toString(), command, dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor() == 0, "pg-cluster.sh " + command + " failed: " + out);
    }

    void halt() throws Exception {
        run("halt", dir);
    }

    void restart() throws Exception {
        run("start", dir);
    }

    void pause() throws Exception {
        run("pause", dir);
    }

    void resume() throws Exception {
        run("resume", dir);
    }

    /** The store's address, as the tools take it (password from the pgpass file). */
    String url() {
        return "postgresql://sasldb4j@127.0.0.1:" + port + "/sasldb4j";
    }

    /** The cluster's pgpass file (PGPASSFILE for processes under test). */
    Path passFile() {
        return dir.resolve("pgpass");
    }

    /** The application name of the replicas' connections (a test can find and end them). */
    static final String REPLICA_APPLICATION = "sasldb4j-test-replica";

    /** A connection as the application role, autocommit off. */
    Connection connect() throws SQLException {
        return connect("sasldb4j-test");
    }

    private Connection connect(String application) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "sasldb4j");
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "5");
        p.setProperty("loginTimeout", "5");
        p.setProperty("ApplicationName", application);
        Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/sasldb4j", p);
        c.setAutoCommit(false);
        return c;
    }

    /** What a replica connects with in these tests. */
    ReplicaSource source() {
        return new ReplicaSource() {
            @Override
            public Connection connect() throws SQLException {
                return ReplicaTestDatabase.this.connect(REPLICA_APPLICATION);
            }

            @Override
            public String name() {
                return url();
            }
        };
    }

    /** Runs statements in one transaction. */
    void sql(String... statements) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
            c.commit();
        }
    }

    /** Stores (replacing) one record, in its own transaction. */
    void put(String authid, String realm, String property, String value) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO sasldb4j.records"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (authid, realm, property) DO UPDATE SET value = excluded.value")) {
            ps.setString(1, authid);
            ps.setString(2, realm);
            ps.setString(3, property);
            ps.setBytes(4, value.getBytes(StandardCharsets.UTF_8));
            ps.executeUpdate();
            c.commit();
        }
    }

    /** A user's records in the database, as "property=value" lines in property order. */
    List<String> recordsOf(String authid, String realm) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("SELECT property, value FROM"
                + " sasldb4j.records WHERE authid = ? AND realm = ?")) {
            ps.setString(1, authid);
            ps.setString(2, realm);
            List<String> out = new java.util.ArrayList<>();
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + "=" + new String(rs.getBytes(2), StandardCharsets.UTF_8));
                }
            }
            c.commit();
            return out.stream().sorted().toList();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stores many users with a userPassword each, in one transaction. */
    void putUsers(List<String> authids, String realm) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO sasldb4j.records VALUES (?, ?, 'userPassword', ?)")) {
            for (String a : authids) {
                ps.setString(1, a);
                ps.setString(2, realm);
                ps.setBytes(3, ("pw-" + a).getBytes(StandardCharsets.UTF_8));
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        }
    }

    /** Polls {@code condition} until it holds, failing after a generous {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not seen within " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws Exception {
        run("stop", dir);
    }
}
