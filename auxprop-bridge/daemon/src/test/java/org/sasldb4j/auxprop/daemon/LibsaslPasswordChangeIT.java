package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8 §5 through the real Cyrus libsasl (Debian's libsasl2-2 and plugins): after a password
 * change by saslpasswd, for every combination of old and new secret sets, the old password fails
 * on every mechanism libsasl offers and the new one works wherever libsasl can use the new
 * secrets. Two ways libsasl reads a sasldb4j store:
 * <ul>
 *   <li>the {@code sasldb} plugin. Debian builds it with Berkeley DB, not LMDB, so the LMDB
 *       store's records are moved byte for byte into a Berkeley DB file with {@code mdb_dump} and
 *       {@code db5.3_load} (the same keys and values a libsasl built with LMDB reads in place);
 *   <li>the {@code sql} plugin (sqlite3) on a SQLite store, with the query of docs/sqlite.md.
 * </ul>
 * What libsasl can use: PLAIN (sasl_checkpass) and CRAM-MD5 only a plaintext {@code userPassword};
 * SCRAM-SHA-1 a plaintext or the SCRAM-SHA-1 {@code authPassword}; SCRAM-SHA-256 a plaintext (it
 * does not read {@code sasldb4j.scram-sha-256}). Needs gcc, libsasl2-modules, libsasl2-modules-db,
 * libsasl2-modules-sql, lmdb-utils and db5.3-util (scripts/install-test-deps.sh); fails without them.
 */
@Tag("attack")
class LibsaslPasswordChangeIT {
    private static final List<String> MECHANISMS = List.of("PLAIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256");

    @TempDir
    static Path dir;
    private static Path helper;

    @BeforeAll
    static void compileHelper() throws Exception {
        helper = dir.resolve("libsasl-auth");
        Path source = Path.of("src/test/c/libsasl-auth.c").toAbsolutePath();
        run(List.of("gcc", "-O1", "-o", helper.toString(), source.toString(), libsasl()));
    }

    @Test
    void onlyTheNewPasswordVerifiesInLibsaslsSasldbPluginOnTheLmdbRecords() throws Exception {
        Path lmdb = dir.resolve("sasldb.lmdb");
        List<PasswordChangeMatrixTest.Row> rows = PasswordChangeMatrixTest.changeEveryCombination(lmdb, "lmdb");
        Path bdb = dir.resolve("sasldb2");
        run(List.of("bash", "-c", "set -o pipefail; mdb_dump -n \"$1\" | grep -v -E '^(mapsize|maxreaders|db_pagesize)='"
                + " | sed 's/^type=btree$/type=hash/' | db5.3_load -t hash \"$2\"", "convert", lmdb.toString(),
                bdb.toString()));
        assertEquals(List.of(), wrongAnswers("sasldb", bdb, rows));
    }

    @Test
    void onlyTheNewPasswordVerifiesInLibsaslsSqlPluginOnTheSqliteStore() throws Exception {
        Path sqlite = dir.resolve("sasldb.sqlite");
        List<PasswordChangeMatrixTest.Row> rows = PasswordChangeMatrixTest.changeEveryCombination(sqlite, "sqlite");
        assertEquals(List.of(), wrongAnswers("sql", sqlite, rows));
    }

    /** Runs every check through the helper; returns the answers that were not expected. */
    private static List<String> wrongAnswers(String plugin, Path store, List<PasswordChangeMatrixTest.Row> rows)
            throws Exception {
        List<String> asked = new ArrayList<>();
        List<Boolean> want = new ArrayList<>();
        StringBuilder checks = new StringBuilder();
        for (PasswordChangeMatrixTest.Row r : rows) {
            for (String mech : MECHANISMS) {
                for (boolean old : new boolean[] {true, false}) {
                    checks.append(mech).append(' ').append(r.user()).append(' ')
                            .append(old ? r.oldPw() : r.newPw()).append('\n');
                    asked.add(r + ": libsasl " + plugin + " " + mech + (old ? " old" : " new"));
                    want.add(!old && libsaslServes(r.newSet(), mech));
                }
            }
        }
        Process p = new ProcessBuilder(helper.toString(), plugin, store.toString(), PasswordChangeMatrixTest.REALM)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (Writer w = p.outputWriter(StandardCharsets.UTF_8)) {
            w.write(checks.toString());
        }
        List<String> answers = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                answers.add(line);
            }
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "libsasl-auth did not finish");
        assertEquals(0, p.exitValue(), "libsasl-auth failed");
        assertEquals(asked.size(), answers.size(), "one answer per check");
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < asked.size(); i++) {
            boolean ok = answers.get(i).equals("OK");
            if (ok != want.get(i)) {
                wrong.add(asked.get(i) + (ok ? " accepted" : " refused (" + answers.get(i) + ")"));
            }
        }
        return wrong;
    }

    /** What libsasl 2.1.28 can use from a user holding only {@code set}. */
    static boolean libsaslServes(String set, String mech) {
        List<String> kinds = List.of(set.replace("hashed", "argon2id,scram-sha-1,scram-sha-256").split(","));
        return kinds.contains("plaintext") || (mech.equals("SCRAM-SHA-1") && kinds.contains("scram-sha-1"));
    }

    private static String libsasl() {
        for (String d : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu")) {
            if (Files.exists(Path.of(d, "libsasl2.so.2"))) {
                return d + "/libsasl2.so.2";
            }
        }
        throw new AssertionError("libsasl2.so.2 not found: install libsasl2-2 (scripts/install-test-deps.sh)");
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), command + " did not finish");
        assertEquals(0, p.exitValue(), command + " failed (missing tool? run scripts/install-test-deps.sh): " + out);
    }
}
