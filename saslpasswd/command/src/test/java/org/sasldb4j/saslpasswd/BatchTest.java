package org.sasldb4j.saslpasswd;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;

/** {@code saslpasswd --batch}: the line format, its errors, and that invalid batches write nothing. */
class BatchTest {
    @TempDir
    Path dir;

    Path db() {
        return dir.resolve("db");
    }

    Harness.Result batch(String content, String... more) throws Exception {
        Path f = dir.resolve("batch.txt");
        Files.write(f, content.getBytes(ISO_8859_1));
        List<String> args = new ArrayList<>(List.of("-f", db().toString(), "--batch", f.toString()));
        args.addAll(List.of(more));
        return new Harness(dir).run(args.toArray(String[]::new));
    }

    List<String> records() {
        List<String> out = new ArrayList<>();
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.readOnly())) {
            s.forEach(e -> out.add(e + "=" + new String(e.value(), ISO_8859_1)));
        }
        return out;
    }

    @Test
    void addsReplacesAndDeletesInOrder() throws Exception {
        Harness.Result r = batch("# users\n\nadd alice@example.org pass word \n"
                + "add bob@example.org x\nadd bob@example.org second\tpw\n"
                + "add carol@r c\ndel carol@r\n"
                + "add-hex 6461766540 0d0a20\n"
                + "add erin p@ss:with everything~\r in it\n", "--default-realm", "r.example");
        assertEquals(0, r.rc(), r.err());
        assertEquals("", r.err());
        assertEquals(List.of("alice@example.org: userPassword=pass word ",
                "bob@example.org: userPassword=second\tpw",
                "dave@: userPassword=\r\n ",
                "erin@r.example: userPassword=p@ss:with everything~\r in it"),
                recordsWithDefault());
    }

    private List<String> recordsWithDefault() {
        return records();
    }

    @Test
    void idsWithoutAtUseTheDefaultRealm() throws Exception {
        Harness.Result r = batch("add a pw\nadd b@x pw\n", "-u", "dom.example");
        assertEquals(0, r.rc(), r.err());
        assertEquals(List.of("a@dom.example: userPassword=pw", "b@x: userPassword=pw"), records());
        r = batch("add c pw\n");
        assertTrue(r.err().contains("note: ids without @ get the realm \"vm\""), r.err());
    }

    @Test
    void invalidLinesAreReportedWithLineNumbersAndNothingIsWritten() throws Exception {
        Harness.Result r = batch("add good@r pw\n"
                + "add nopassword@r\n"
                + "frobnicate x y\n"
                + "add crlf@r pw\r\n"
                + "del a@r extra\n"
                + "add  doublespace pw\n"
                + "add-hex zz 41\n"
                + "add nul@r a\0b\n"
                + "add long@r " + "A".repeat(2049) + "\n"
                + "add @r pw\n");
        assertEquals(7, r.rc());
        String f = dir.resolve("batch.txt").toString();
        String err = r.err();
        assertTrue(err.contains("saslpasswd: " + f + ":2: 'add' needs a password"), err);
        assertTrue(err.contains(f + ":3: unknown command"), err);
        assertTrue(err.contains(f + ":4: the line ends with CR"), err);
        assertTrue(err.contains(f + ":5: 'del' takes only a user id"), err);
        assertTrue(err.contains(f + ":6: 'add' needs a user id"), err);
        assertTrue(err.contains(f + ":7: the hex user id"), err);
        assertTrue(err.contains(f + ":8: the password contains a NUL byte"), err);
        assertTrue(err.contains(f + ":9: the password is longer than 2048"), err);
        assertTrue(err.contains(f + ":10: the user name is empty"), err);
        assertTrue(err.contains("9 invalid lines in the batch; nothing was written"), err);
        assertFalse(err.contains("frobnicate"), "the first word is not echoed: it may be a password");
        assertFalse(Files.exists(db()));
    }

    @Test
    void deletingMissingUsersIsReportedNotFatal() throws Exception {
        batch("add a@r pw\n");
        Harness.Result r = batch("del a@r\ndel ghost@r\n");
        assertEquals(0, r.rc());
        assertTrue(r.err().contains("user not found: 1 del line of"), r.err());
        assertTrue(r.err().contains("(line 2)"), r.err());
        assertEquals(List.of(), records());
    }

    @Test
    void batchFromStdin() {
        Harness.Result r = new Harness(dir).stdin("add s@r pw\n").run("--batch", "-", "-f", db().toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals(List.of("s@r: userPassword=pw"), records());
    }

    @Test
    void batchCombinationsThatMakeNoSense() throws Exception {
        assertEquals(1, batch("add a@r pw\n", "user").rc());
        assertEquals(1, batch("add a@r pw\n", "-d").rc());
        assertEquals(1, batch("add a@r pw\n", "--password-file", "x").rc());
        Harness.Result r = new Harness(dir).run("--batch", dir.resolve("none").toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().startsWith("saslpasswd: cannot read the batch"), r.err());
    }

    /**
     * Counted work, not time: a batch commits once per window of {@link BatchRunner#CHUNK} lines
     * (each commit is an fsync), however many users it holds. Its speed is measured by
     * scripts/bench.sh against db5.3_load (docs/benchmarks.md, (b)), not here.
     */
    @Test
    void aLargeBatchCommitsOncePerWindow() throws Exception {
        assertEquals(0, batch("add first@example.org pw\n").rc());
        long before = lastTransaction();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i <= BatchRunner.CHUNK; i++) {
            sb.append("add user").append(i).append("@example.org pw").append(i).append('\n');
        }
        Harness.Result r = batch(sb.toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals(BatchRunner.CHUNK + 2, records().size());
        assertEquals(2, lastTransaction() - before, "write transactions for CHUNK + 1 lines");
    }

    /**
     * The id of the store's last committed transaction, as LMDB itself reports it: {@code mdb_stat
     * -e} (Debian's lmdb-utils, installed by scripts/install-test-deps.sh; the test fails without
     * it), not a count kept by the code under test.
     */
    private long lastTransaction() throws Exception {
        Process p = new ProcessBuilder("mdb_stat", "-en", db().toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), ISO_8859_1);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "mdb_stat -en failed: " + out);
        Matcher m = Pattern.compile("Last transaction ID: (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1));
    }
}
