package org.sasldb4j.saslpasswd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL cluster for the tools' ITs, run by {@code scripts/pg-cluster.sh} (initdb in
 * a scratch directory, its own port on 127.0.0.1; the system cluster is never touched). PostgreSQL
 * is always installed where these tests run (scripts/install-test-deps.sh): a missing server
 * fails the test, it is never skipped. Close it: the cluster is stopped and its files deleted.
 *
 * <p><b>Security:</b> the role's password stays in the cluster's pgpass file (mode 0600); the
 * addresses handed out name that file ({@code passfile=}), never the password.
 */
final class ToolsCluster implements AutoCloseable {
    private final Path script;
    private final Path dir;
    private final String url;

    private ToolsCluster(Path script, Path dir, String url) {
        this.script = script;
        this.dir = dir;
        this.url = url;
    }

    /** Creates and starts a cluster with role and database {@code sasldb4j}. */
    static ToolsCluster start() throws IOException, InterruptedException {
        Path script = repositoryRoot().resolve("scripts/pg-cluster.sh");
        Path dir = Files.createTempDirectory("sasldb4j-tools-pg");
        String out = run(script, "start", dir.toString()).strip();
        String url = out.lines().reduce((a, b) -> b).orElse("");
        if (!url.startsWith("postgresql://")) {
            throw new IllegalStateException("pg-cluster.sh start printed no URL: " + out);
        }
        return new ToolsCluster(script, dir, url);
    }

    /** {@code postgresql://sasldb4j@127.0.0.1:PORT/sasldb4j?passfile=…}: what a tool is given. */
    String address() {
        return url + "?passfile=" + dir.resolve("pgpass");
    }

    /** The address as pg-cluster.sh prints it (no passfile: needs PGPASSFILE). */
    String url() {
        return url;
    }

    /** The pgpass file holding the roles' passwords. */
    Path passfile() {
        return dir.resolve("pgpass");
    }

    /** The application role's password, read from the pgpass file (for the password-in-URI test). */
    String applicationPassword() throws IOException {
        for (String line : Files.readAllLines(passfile(), StandardCharsets.UTF_8)) {
            String[] f = line.split(":", 5);
            if (f.length == 5 && f[3].equals("sasldb4j")) {
                return f[4];
            }
        }
        throw new IllegalStateException("no sasldb4j line in " + passfile());
    }

    /** Runs SQL as the cluster's superuser in database sasldb4j; returns psql's unaligned output. */
    String psql(String sql) throws IOException, InterruptedException {
        return run(script, "psql", dir.toString(), "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql).strip();
    }

    /** Stops the server, keeping its files. */
    void halt() throws IOException, InterruptedException {
        run(script, "halt", dir.toString());
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run(script, "stop", dir.toString());
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static String run(Path script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("pg-cluster.sh " + args[0] + " did not finish in 120 s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("pg-cluster.sh " + String.join(" ", args) + " failed: " + text);
        }
        return text;
    }

    /** The checkout's root: the first parent of the working directory holding scripts/pg-cluster.sh. */
    static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts/pg-cluster.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("scripts/pg-cluster.sh not found above " + Path.of("").toAbsolutePath());
    }
}
