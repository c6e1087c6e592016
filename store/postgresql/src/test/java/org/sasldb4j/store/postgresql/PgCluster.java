package org.sasldb4j.store.postgresql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL cluster for a test, run by {@code scripts/pg-cluster.sh} in a temporary
 * directory: its own port on 127.0.0.1, password authentication, roles {@code sasldb4j} (owns
 * database {@code sasldb4j}) and {@code sasldb4j_super}. Start it in {@code @BeforeAll}, close it
 * in {@code @AfterAll}; closing stops the server and deletes its files.
 *
 * <p>PostgreSQL is always installed where tests run (scripts/install-test-deps.sh): a missing
 * server makes {@link #start} fail, never skip.
 *
 * <pre>{@code
 * static PgCluster pg;
 * @BeforeAll static void up() { pg = PgCluster.start(); }
 * @AfterAll static void down() { pg.close(); }
 * ... CredentialStore.open(pg.address(), StoreOptions.create()) ...
 * }</pre>
 */
public final class PgCluster implements AutoCloseable {
    private static final long SCRIPT_TIMEOUT_SECONDS = 120;

    private final Path dir;
    private final String url;
    private final boolean tls;

    private PgCluster(Path dir, String url, boolean tls) {
        this.dir = dir;
        this.url = url;
        this.tls = tls;
    }

    /** Creates and starts a cluster. */
    public static PgCluster start() {
        return start(false);
    }

    /**
     * Creates and starts a cluster; with {@code tls} the server also accepts TLS, with a server
     * certificate for 127.0.0.1 and localhost signed by a CA of its own ({@link #caFile()}).
     */
    public static PgCluster start(boolean tls) {
        try {
            Path dir = Files.createTempDirectory("sasldb4j-pgcluster");
            List<String> args = new ArrayList<>(List.of("start", dir.toString()));
            if (tls) {
                args.add("--tls");
            }
            String out;
            try {
                out = script(args.toArray(new String[0]));
            } catch (RuntimeException e) {
                script("stop", dir.toString());
                deleteTree(dir);
                throw e;
            }
            String[] lines = out.strip().split("\n");
            return new PgCluster(dir, lines[lines.length - 1].strip(), tls);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code postgresql://sasldb4j@127.0.0.1:PORT/sasldb4j}: no password, no passfile. */
    public String url() {
        return url;
    }

    /**
     * The store's address for code that reads this process's environment (which has no
     * {@code PGPASSFILE}): {@link #url()} with {@code ?passfile=} naming the cluster's pgpass.
     */
    public String address() {
        return url + "?passfile=" + pgpass();
    }

    /** The address of the superuser's connection (for tests that kill sessions or change grants). */
    public String superAddress() {
        return url.replace("://sasldb4j@", "://sasldb4j_super@") + "?passfile=" + pgpass();
    }

    public int port() {
        return Integer.parseInt(read("port").strip());
    }

    /** The directory of the cluster's files: env, pgpass, port (and ca.crt with TLS). */
    public Path dir() {
        return dir;
    }

    /** The password file (mode 0600) with both roles' passwords. */
    public Path pgpass() {
        return dir.resolve("pgpass");
    }

    /** The CA that signed the server's certificate; only for a cluster started with TLS. */
    public Path caFile() {
        if (!tls) {
            throw new IllegalStateException("this cluster was started without TLS");
        }
        return dir.resolve("ca.crt");
    }

    /** PGHOST PGPORT PGUSER PGDATABASE PGPASSFILE for a child process (as {@code . DIR/env}). */
    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        for (String word : read("env").replace("export ", "").strip().split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                env.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return env;
    }

    /**
     * Runs SQL (one or more statements) as the superuser in database sasldb4j, in autocommit,
     * and returns the last result as {@code psql -At} prints it: rows on lines, columns joined by
     * {@code |}, booleans {@code t}/{@code f}, null empty. Through JDBC, not the psql program:
     * a test calls this often.
     */
    public String psql(String sql) {
        try (java.sql.Connection c = PgConnector.of(superAddress()).connect(); java.sql.Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            String last = "";
            boolean isResult = s.execute(sql);
            while (true) {
                if (isResult) {
                    try (java.sql.ResultSet r = s.getResultSet()) {
                        StringBuilder b = new StringBuilder();
                        int n = r.getMetaData().getColumnCount();
                        while (r.next()) {
                            for (int i = 1; i <= n; i++) {
                                String v = r.getString(i);
                                b.append(i > 1 ? "|" : "").append(v == null ? "" : v);
                            }
                            b.append('\n');
                        }
                        last = b.toString();
                    }
                } else if (s.getUpdateCount() == -1) {
                    return last;
                }
                isResult = s.getMoreResults();
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
        }
    }

    /** Stops the server, keeping its files ({@link #restart()} starts it again). */
    public void halt() {
        script("halt", dir.toString());
    }

    /** Starts a halted server again on the same port. */
    public void restart() {
        script("start", dir.toString());
    }

    /** Freezes the server (SIGSTOP): connections hang as on a lost network. */
    public void pause() {
        script("pause", dir.toString());
    }

    public void resume() {
        script("resume", dir.toString());
    }

    /** Stops the server and deletes its files. */
    @Override
    public void close() {
        try {
            script("stop", dir.toString());
        } finally {
            deleteTree(dir);
        }
    }

    @Override
    public String toString() {
        return "PgCluster[" + url + "]";
    }

    /** scripts/pg-cluster.sh of this checkout: the first parent of the working directory holding it. */
    public static Path script() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path s = d.resolve("scripts/pg-cluster.sh");
            if (Files.isRegularFile(s)) {
                return s;
            }
        }
        throw new IllegalStateException("scripts/pg-cluster.sh not found above " + Path.of("").toAbsolutePath());
    }

    private String read(String name) {
        try {
            return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String script(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(script().toString());
        cmd.addAll(List.of(args));
        try {
            Path log = Files.createTempFile("pg-cluster", ".log");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(false)
                        .redirectError(log.toFile()).start();
                p.getOutputStream().close();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("pg-cluster.sh " + args[0] + " did not finish");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("pg-cluster.sh " + String.join(" ", args) + " failed ("
                            + p.exitValue() + "): " + Files.readString(log).strip());
                }
                return new String(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory; the OS cleans /tmp.
        }
    }
}
