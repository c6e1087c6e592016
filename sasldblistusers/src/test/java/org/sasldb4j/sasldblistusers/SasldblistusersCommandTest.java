package org.sasldb4j.sasldblistusers;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.CyrusTexts;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;

class SasldblistusersCommandTest {
    @TempDir
    Path dir;

    record Result(int rc, String out, String err) {}

    Path db() {
        return dir.resolve("sasldb2");
    }

    Result run(String... args) {
        return runWithEnv(null, args);
    }

    Result runWithEnv(String dbname, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliEnvironment.Builder b = CliEnvironment.builder().env("SASL_CONF_PATH", dir.toString())
                .stdout(out).stderr(new PrintStream(err, true, UTF_8));
        if (dbname != null) {
            b.env("SASL_DBNAME", dbname);
        }
        int rc = SasldblistusersCommand.run(b.build(), args);
        return new Result(rc, out.toString(UTF_8), err.toString(UTF_8));
    }

    void put(String authid, String realm, String... props) {
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.create())) {
            s.update(w -> {
                for (String p : props) {
                    w.put(UserId.of(authid, realm), p, "SECRET-VALUE".getBytes(UTF_8));
                }
            });
        }
    }

    void sample() {
        put("erin", "sales@example.org", "userPassword");
        put("alice", "example.org", "userPassword", "authPassword");
        put("dave", "", "userPassword");
        put("", "onlyrealm.example", "userPassword");
        put(" hal ", "vm", "userPassword");
    }

    static final String SAMPLE_LISTING = "@onlyrealm.example: userPassword\n"
            + " hal @vm: userPassword\n"
            + "alice@example.org: authPassword\n"
            + "alice@example.org: userPassword\n"
            + "dave@: userPassword\n"
            + "erin@sales@example.org: userPassword\n";

    @Test
    void listsOneLinePerRecordInKeyOrderNeverAValue() {
        sample();
        Result r = run(db().toString());
        assertEquals(new Result(0, SAMPLE_LISTING, ""), r);
        assertEquals(r, run("-f", db().toString()));
        assertTrue(!r.out().contains("SECRET"));
    }

    @Test
    void storeFromSaslDbnameOrConfigFile() throws Exception {
        sample();
        assertEquals(SAMPLE_LISTING, runWithEnv(db().toString()).out());
        Files.writeString(dir.resolve("sasldblistusers.conf"), "sasldb_path: " + db() + "\n");
        // the config file is honoured (sasldblistusers2 ignores it: D9) and wins over SASL_DBNAME
        assertEquals(SAMPLE_LISTING, runWithEnv("/nonexistent").out());
    }

    @Test
    void emptyStoreListsNothing() throws Exception {
        Files.createFile(db());
        assertEquals(new Result(0, "", ""), run(db().toString()));
    }

    @Test
    void failuresGiveOneLineAndExit1() throws Exception {
        Result r = run(dir.resolve("missing").toString());
        assertEquals(1, r.rc());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("sasldblistusers: "), r.err());
        Files.writeString(db(), "text\n");
        r = run(db().toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("not a sasldb store"), r.err());
        r = run(dir.toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("directory"), r.err());
    }

    @Test
    void malformedKeysAreReportedAndSkipped() {
        put("alice", "r", "userPassword");
        try (Env<ByteBuffer> env = Env.create().setMapSize(1 << 24)
                .open(db().toFile(), EnvFlags.MDB_NOSUBDIR)) {
            Dbi<ByteBuffer> dbi = env.openDbi((String) null);
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                dbi.put(txn, bb("no-nul-at-all"), bb("v"));
                dbi.put(txn, bb("b\0r\0p\0extra"), bb("v"));
                txn.commit();
            }
        }
        Result r = run(db().toString());
        assertEquals(2, r.rc());
        assertEquals("alice@r: userPassword\n", r.out());
        assertTrue(r.err().contains("warning:") && r.err().contains("2 malformed records were skipped"), r.err());
    }

    private static ByteBuffer bb(String s) {
        byte[] b = s.getBytes(UTF_8);
        ByteBuffer buf = ByteBuffer.allocateDirect(b.length);
        buf.put(b).flip();
        return buf;
    }

    @Test
    void jsonGroupsRecordsPerUserAndEscapes() {
        sample();
        put("q\"uote\\", "r", "userPassword");
        Result r = run("--json", db().toString());
        assertEquals(0, r.rc());
        String plain = ", \"schemes\": [\"plaintext\"], \"disabled\": false}";
        assertEquals("[\n"
                + "  {\"authid\": \"\", \"realm\": \"onlyrealm.example\", \"properties\": [\"userPassword\"]" + plain + ",\n"
                + "  {\"authid\": \" hal \", \"realm\": \"vm\", \"properties\": [\"userPassword\"]" + plain + ",\n"
                + "  {\"authid\": \"alice\", \"realm\": \"example.org\", \"properties\": [\"authPassword\", \"userPassword\"],"
                + " \"schemes\": [\"authPassword\", \"plaintext\"], \"disabled\": false},\n"
                + "  {\"authid\": \"dave\", \"realm\": \"\", \"properties\": [\"userPassword\"]" + plain + ",\n"
                + "  {\"authid\": \"erin\", \"realm\": \"sales@example.org\", \"properties\": [\"userPassword\"]" + plain + ",\n"
                + "  {\"authid\": \"q\\\"uote\\\\\", \"realm\": \"r\", \"properties\": [\"userPassword\"]" + plain + "\n"
                + "]\n", r.out());
        assertTrue(!r.out().contains("SECRET"));
    }

    @Test
    void jsonNamesEachUsersSchemesAndDisabledStateNeverAValue() {
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.create())) {
            s.update(w -> {
                UserId u = UserId.of("bob", "example.org");
                w.put(u, "authPassword", "SCRAM-SHA-1$4096:c2FsdA==$a2V5:a2V5".getBytes(UTF_8));
                w.put(u, "sasldb4j.argon2id", "{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".getBytes(UTF_8));
                w.put(u, "sasldb4j.disabled", "disabled 2026-11-21T00:00:00Z".getBytes(UTF_8));
            });
        }
        String out = run("--json", db().toString()).out();
        assertEquals("[\n  {\"authid\": \"bob\", \"realm\": \"example.org\", \"properties\": [\"authPassword\","
                + " \"sasldb4j.argon2id\", \"sasldb4j.disabled\"], \"schemes\": [\"scram-sha-1\", \"argon2id\"],"
                + " \"disabled\": true}\n]\n", out);
        assertFalse(out.contains("c2FsdA"), out);
    }

    @Test
    void jsonShowsWhenEachAccountLastChangedAndThePlainListingNamesThePropertyAsCyrusWould() {
        java.time.Instant t = java.time.Instant.parse("2026-12-03T23:29:30.500Z");
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.create())) {
            s.update(w -> {
                UserId a = UserId.of("alice", "example.org");
                w.put(a, "userPassword", "pw".getBytes(UTF_8));
                org.sasldb4j.store.audit.ChangeTimes.stamp(w, a, t);
                UserId b = UserId.of("bob", "example.org");
                w.put(b, "userPassword", "pw".getBytes(UTF_8));
                w.put(b, org.sasldb4j.store.audit.ChangeTimes.PROPERTY, "yesterday, roughly".getBytes(UTF_8));
                w.put(UserId.of("carol", "example.org"), "userPassword", "pw".getBytes(UTF_8));
            });
        }
        String out = run("--json", db().toString()).out();
        assertEquals("[\n  {\"authid\": \"alice\", \"realm\": \"example.org\", \"properties\": [\"sasldb4j.changed\","
                + " \"userPassword\"], \"schemes\": [\"plaintext\"], \"disabled\": false,"
                + " \"changed\": \"2026-12-03T23:29:30Z\"},\n"
                + "  {\"authid\": \"bob\", \"realm\": \"example.org\", \"properties\": [\"sasldb4j.changed\","
                + " \"userPassword\"], \"schemes\": [\"plaintext\"], \"disabled\": false},\n"
                + "  {\"authid\": \"carol\", \"realm\": \"example.org\", \"properties\": [\"userPassword\"],"
                + " \"schemes\": [\"plaintext\"], \"disabled\": false}\n]\n", out);
        assertEquals("alice@example.org: sasldb4j.changed\nalice@example.org: userPassword\n"
                + "bob@example.org: sasldb4j.changed\nbob@example.org: userPassword\n"
                + "carol@example.org: userPassword\n", run(db().toString()).out());
    }

    @Test
    void jsonOfAnEmptyStoreAndOfRawBytes() throws Exception {
        Files.createFile(db());
        assertEquals("[]\n", run("--json", db().toString()).out());
        Files.delete(db());
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.create())) {
            s.update(w -> w.put(UserId.ofBytes(new byte[] {(byte) 0xff, 'a', 1}, new byte[] {'r'}), "userPassword",
                    new byte[] {1}));
        }
        String out = run("--json", db().toString()).out();
        assertTrue(out.contains("\"authid\": \"\uFFFDa\\u0001\", \"authidHex\": \"ff6101\""), out);
    }

    @Test
    void filtersByRealmAndUser() {
        sample();
        put("alice", "other", "userPassword");
        assertEquals("alice@example.org: authPassword\nalice@example.org: userPassword\n",
                run("--realm", "example.org", db().toString()).out());
        assertEquals("alice@example.org: authPassword\nalice@example.org: userPassword\nalice@other: userPassword\n",
                run("--user", "alice", db().toString()).out());
        assertEquals("alice@other: userPassword\n", run("--user", "alice@other", db().toString()).out());
        assertEquals("dave@: userPassword\nerin@sales@example.org: userPassword\n",
                run("--user", "dave@", "--user", "erin", db().toString()).out());
        assertEquals("", run("--realm", "EXAMPLE.ORG", db().toString()).out());
    }

    @Test
    void usageAndVersionTextsAsSasldblistusers2() {
        String usage = "\nThis product includes software developed by Computing Services\n"
                + "at Carnegie Mellon University (http://www.cmu.edu/computing/).\n\n"
                + "sasldblistusers: usage: sasldblistusers [-v] [[-f] sasldb]\n"
                + "\t-f sasldb\tuse given file as sasldb\n"
                + "\t-v\tprint version numbers and exit\n";
        assertEquals(new Result(1, "", usage), run("-h"));
        assertEquals(new Result(1, "", usage), run("x", "y"));
        assertEquals(new Result(1, "", usage), run("-f", "a", "b"));
        assertEquals(new Result(1, "", usage + "Unrecognized command line option\n"), run("-?"));
        assertEquals(new Result(1, "", "sasldblistusers: invalid option -- 'x'\n" + usage
                + "Unrecognized command line option\n"), run("-x"));
        assertEquals(new Result(1, "", "sasldblistusers: invalid option -- 'x'\n" + usage), run("-x", "-h"));
        assertEquals(new Result(1, "", "sasldblistusers: option requires an argument -- 'f'\n" + usage
                + "Unrecognized command line option\n"), run("-f"));
        assertEquals(new Result(0, "", CyrusTexts.version()), run("-v"));
        assertEquals(new Result(0, "", CyrusTexts.version()), run("x", "-v", "y"));
        assertEquals(new Result(0, "", "sasldblistusers: invalid option -- 'x'\n" + CyrusTexts.version()),
                run("-x", "-v"));
    }

    @Test
    void longHelp() {
        Result r = run("--help");
        assertEquals(0, r.rc());
        assertTrue(r.out().contains("--json") && r.out().contains("Exit status"), r.out());
    }

    /**
     * Counted work, not time: 50,000 users are listed in one pass with buffered output, a few dozen
     * writes to stdout rather than one (or six) per line. Speed itself is measured by
     * scripts/bench.sh against sasldblistusers2 (docs/benchmarks.md, (c)), not here.
     */
    @Test
    void largeListingWritesInLargeBlocks() {
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.create())) {
            s.update(w -> {
                for (int i = 0; i < 50_000; i++) {
                    w.put(UserId.of("user" + i, "example.org"), "userPassword", new byte[] {'p'});
                }
            });
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int[] writes = {0};
        OutputStream stdout = new OutputStream() {
            @Override
            public void write(int b) {
                writes[0]++;
                bytes.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes[0]++;
                bytes.write(b, off, len);
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = SasldblistusersCommand.run(CliEnvironment.builder().env("SASL_CONF_PATH", dir.toString())
                .stdout(stdout).stderr(new PrintStream(err, true, UTF_8)).build(), db().toString());
        assertEquals(0, rc, err.toString(UTF_8));
        assertEquals(50_000, bytes.toString(UTF_8).lines().count());
        // About 1.3 MB in blocks of nearly 64 KiB (the buffer): on average at least 32 KiB a write.
        // Unbuffered, each line would cost six writes.
        assertTrue(writes[0] <= bytes.size() / (32 << 10) + 2, writes[0] + " writes for " + bytes.size() + " bytes");
    }

    /** A crafted name must not forge lines of the listing (Cyrus prints it raw): control bytes are escaped. */
    @org.junit.jupiter.api.Tag("attack")
    @Test
    void controlCharactersInNamesCannotForgeListingLines() {
        put("evil\nroot", "example.org\tx", "userPassword");
        put("bob", "example.org", "userPassword");
        Result r = run(db().toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals("bob@example.org: userPassword\nevil\\x0aroot@example.org\\x09x: userPassword\n", r.out());
    }

    /** A name holding the text {@code \x0a} must not pass for an escaped newline: the backslash is escaped. */
    @org.junit.jupiter.api.Tag("attack")
    @Test
    void aBackslashInANameCannotForgeAnEscape() {
        put("evil\\x0aroot", "example.org", "userPassword");
        put("evil\nroot", "example.org", "userPassword");
        Result r = run(db().toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals("evil\\x0aroot@example.org: userPassword\nevil\\x5cx0aroot@example.org: userPassword\n", r.out());
    }

    @Test
    void aPasswordInAServerAddressIsRefusedInOneLine() {
        for (String[] args : List.of(new String[] {"-f", "postgresql://admin:s3cret@127.0.0.1:1/mail"},
                new String[] {"--json", "postgres://127.0.0.1:1/mail?password=s3cret"})) {
            Result r = run(args);
            assertEquals(1, r.rc(), r.err());
            assertEquals("", r.out());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains("refusing a password in the store address") && r.err().contains("~/.pgpass"),
                    r.err());
            assertFalse(r.err().contains("s3cret"), r.err());
        }
    }
}
