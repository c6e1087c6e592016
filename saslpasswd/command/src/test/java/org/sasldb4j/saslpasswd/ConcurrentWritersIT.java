package org.sasldb4j.saslpasswd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.postgresql.PgCluster;
import org.sasldb4j.store.Backend;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;

/**
 * Concurrent writers never lose users (defect D1 of docs/reference/cyrus-sasldb.md §14: two parallel loops of 400 {@code saslpasswd2}
 * runs into one Berkeley DB file left 764, 798 and 799 of 800 users).
 *
 * <p>Two separate JVMs start at the same moment (a line on stdin releases both) and each creates
 * 400 users in the same, initially missing, store by running the real {@link SaslpasswdCommand}
 * 400 times ({@code saslpasswd -p -c -f STORE -u example.org USER}, see {@link StoreWriterMain}):
 * one open / write transaction / close per user, like 400 separate {@code saslpasswd} processes. Afterwards the store must hold all 800 users with
 * the right passwords. Each file backend is run 10 times; every run must pass.
 *
 * <p>The same against a PostgreSQL store (issue 13: several administrators writing from several
 * hosts at once lose nothing): the two JVMs run saslpasswd with {@code -f postgresql://…} on a
 * private cluster whose database starts without the sasldb4j schema, so both also race to create
 * it. Fewer users per process than for files (each saslpasswd run is a new connection, about 0.1 s
 * on a loaded two-core machine); run twice.
 */
class ConcurrentWritersIT {
    static final int PER_PROCESS = 400;
    static final int PER_PROCESS_POSTGRESQL = 150;
    static final String[] PREFIXES = {"left", "right"};

    @TempDir
    Path dir;

    @RepeatedTest(10)
    void lmdbKeepsEveryUser() throws Exception {
        runOnce(Backend.LMDB);
    }

    @RepeatedTest(10)
    void sqliteKeepsEveryUser() throws Exception {
        runOnce(Backend.SQLITE);
    }

    private static PgCluster cluster;

    @RepeatedTest(2)
    void postgresqlKeepsEveryUser() throws Exception {
        if (cluster == null) {
            cluster = PgCluster.start();
        }
        cluster.psql("DROP SCHEMA IF EXISTS sasldb4j CASCADE");
        runOnce(cluster.address(), Backend.LMDB, PER_PROCESS_POSTGRESQL);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    private void runOnce(Backend backend) throws Exception {
        runOnce(dir.resolve("sasldb-" + backend).toString(), backend, PER_PROCESS);
    }

    /** @param store a file path or a server address */
    private void runOnce(String store, Backend backend, int perProcess) throws Exception {
        List<Process> procs = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            for (String prefix : PREFIXES) {
                Path log = dir.resolve(prefix + ".err");
                logs.add(log);
                procs.add(TestJvm.start(log, StoreWriterMain.class,
                        store, backend.toString(), prefix, Integer.toString(perProcess)));
            }
            // wait until both JVMs are up, then release them together
            List<BufferedReader> outs = new ArrayList<>();
            for (Process p : procs) {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                outs.add(r);
                assertEquals("ready", r.readLine(), () -> "writer did not start: " + TestJvm.tail(logs));
            }
            for (Process p : procs) {
                OutputStream in = p.getOutputStream();
                in.write('\n');
                in.flush();
            }
            for (int i = 0; i < procs.size(); i++) {
                Process p = procs.get(i);
                if (!p.waitFor(180, TimeUnit.SECONDS)) {
                    fail("writer " + PREFIXES[i] + " did not finish in 180 s");
                }
                assertEquals(0, p.exitValue(), "writer " + PREFIXES[i] + " failed:\n" + TestJvm.tail(logs));
                assertEquals("done " + perProcess, outs.get(i).readLine());
            }
        } finally {
            procs.forEach(Process::destroyForcibly);
        }

        Map<String, byte[]> found = new HashMap<>();
        try (CredentialStore s = CredentialStore.open(store, StoreOptions.readOnly())) {
            s.forEach(e -> found.put(e.authid() + "@" + e.realm() + ":" + e.property(), e.value()));
        }
        List<String> missing = new ArrayList<>();
        for (String prefix : PREFIXES) {
            for (int i = 0; i < perProcess; i++) {
                String user = StoreWriterMain.userName(prefix, i);
                byte[] v = found.get(user + "@example.org:userPassword");
                if (v == null) {
                    missing.add(user);
                } else {
                    assertArrayEquals(StoreWriterMain.password(user), v, "password of " + user);
                }
            }
        }
        assertTrue(missing.isEmpty(), () -> missing.size() + " users lost, e.g. "
                + missing.subList(0, Math.min(5, missing.size())));
        assertEquals(2 * perProcess, found.size(), "records in the store");
    }
}
