package org.sasldb4j.saslpasswd;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.postgresql.PgCluster;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.migration.SasldbconvertCommand;
import org.sasldb4j.sasldblistusers.SasldblistusersCommand;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreFormat;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.PasswordVerifier;
import org.sasldb4j.store.secret.SecretSet;

/**
 * Every administration tool on a store named by a PostgreSQL address, against a real private
 * cluster ({@link PgCluster}): saslpasswd (create, set, hashed secrets, --disable/--enable,
 * delete, --batch), sasldblistusers (plain and --json) and sasldbconvert in both directions
 * (docs/saslpasswd.md, docs/sasldblistusers.md, docs/migration.md, "PostgreSQL stores").
 */
class PostgresToolsIT {
    private static PgCluster cluster;

    @TempDir
    Path dir;


    @BeforeAll
    static void startCluster() throws Exception {
        cluster = PgCluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Every test starts from a database without the sasldb4j schema: the tools create it. */
    @BeforeEach
    void emptyDatabase() throws Exception {
        sql("DROP SCHEMA IF EXISTS sasldb4j CASCADE");
    }

    /** psql's output for {@code query}, without the trailing newline. */
    private static String sql(String query) {
        return cluster.psql(query).strip();
    }

    private Harness.Result tool(ToIntFunction<CliEnvironment> main, String stdin) {
        return new Harness(dir).stdinBytes(stdin.getBytes(UTF_8)).runTool(main);
    }

    private Harness.Result saslpasswd(String stdin, String... args) {
        return tool(env -> SaslpasswdCommand.run(env, args), stdin);
    }

    private Harness.Result list(String... args) {
        return tool(env -> SasldblistusersCommand.run(env, args), "");
    }

    private Harness.Result convert(String... args) {
        return tool(env -> SasldbconvertCommand.run(env, args), "");
    }

    /** Every record of a store, key -> value hex, read through the API. */
    private static Map<String, String> records(String store) {
        Map<String, String> m = new TreeMap<>();
        try (CredentialStore s = CredentialStore.open(store, StoreOptions.readOnly())) {
            s.forEach(e -> {
                m.put(e.toString(), java.util.HexFormat.of().formatHex(e.value()));
                e.wipe();
            });
        }
        return m;
    }

    @Test
    void saslpasswdCreatesSetsDisablesAndDeletesAndSasldblistusersListsThem() throws Exception {
        String pg = cluster.address();
        Harness.Result r = saslpasswd("alice-pw\n", "-p", "-c", "-f", pg, "alice@example.org");
        assertEquals(0, r.rc(), r.err());
        assertEquals("", r.err());
        // the schema was created by the tool; the record is in the documented table
        assertEquals("alice|example.org|userPassword|alice-pw", sql(
                "SELECT authid, realm, property, convert_from(value, 'UTF8') FROM sasldb4j.records"));

        r = saslpasswd("bob-pw\n", "-p", "-c", "-f", pg, "--schemes", "hashed", "bob@example.org");
        assertEquals(0, r.rc(), r.err());
        try (CredentialStore s = CredentialStore.open(pg, StoreOptions.readOnly())) {
            List<Entry> bob = s.user(UserId.of("bob", "example.org"));
            assertEquals(List.of("authPassword", "sasldb4j.argon2id", "sasldb4j.scram-sha-256"),
                    bob.stream().map(Entry::property).toList());
            PasswordVerifier v = new PasswordVerifier(SecretSet.HASHED);
            assertEquals(PasswordVerifier.Outcome.MATCH, v.verify(bob, "bob-pw".toCharArray()));
            assertEquals(PasswordVerifier.Outcome.MISMATCH, v.verify(bob, "alice-pw".toCharArray()));
            bob.forEach(Entry::wipe);
        }

        r = list("-f", pg);
        assertEquals(0, r.rc(), r.err());
        assertEquals("alice@example.org: userPassword\n"
                + "bob@example.org: authPassword\n"
                + "bob@example.org: sasldb4j.argon2id\n"
                + "bob@example.org: sasldb4j.scram-sha-256\n", r.out());
        // the store operand works like -f, as for files
        assertEquals(r.out(), list(pg).out());

        r = saslpasswd("", "--disable", "-f", pg, "alice@example.org");
        assertEquals(0, r.rc(), r.err());
        r = list("--json", "-f", pg);
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("\"authid\": \"alice\", \"realm\": \"example.org\""), r.out());
        assertTrue(r.out().matches("(?s).*\"alice\".*\"disabled\": true.*\"bob\".*\"disabled\": false.*"), r.out());
        assertFalse(r.out().contains("alice-pw") || r.out().contains("bob-pw"), "a value in the listing");
        assertEquals("", sql("SELECT \"user\" FROM sasldb4j.dovecot_passdb WHERE authid = 'alice'"),
                "a disabled user is absent from the Dovecot view");

        // the audit trail names the server by its address, never a folded path
        Path log = dir.resolve("audit.log");
        r = saslpasswd("", "--disable", "--audit-log", log.toString(), "-f", pg, "bob@example.org");
        assertEquals(0, r.rc(), r.err());
        String audit = Files.readString(log, UTF_8);
        assertTrue(audit.contains("\"store\":\"" + cluster.url() + "?passfile="), audit);
        assertTrue(audit.contains("\"change\":\"disabled\""), audit);
        assertEquals(0, saslpasswd("", "--enable", "-f", pg, "bob@example.org").rc());

        r = saslpasswd("", "--enable", "-f", pg, "alice@example.org");
        assertEquals(0, r.rc(), r.err());
        assertTrue(list("--json", pg).out().matches("(?s).*\"alice\".*\"disabled\": false.*"));
        assertEquals(20, saslpasswd("", "--disable", "-f", pg, "nobody@example.org").rc());

        r = saslpasswd("new-pw\n", "-p", "-f", pg, "alice@example.org");
        assertEquals(0, r.rc(), r.err());
        assertEquals("new-pw", sql("SELECT convert_from(value, 'UTF8') FROM sasldb4j.records"
                + " WHERE authid = 'alice' AND property = 'userPassword'"));

        r = saslpasswd("", "-d", "-f", pg, "alice@example.org");
        assertEquals(0, r.rc(), r.err());
        assertEquals("", r.err());
        assertEquals("bob@example.org: authPassword\n"
                + "bob@example.org: sasldb4j.argon2id\n"
                + "bob@example.org: sasldb4j.scram-sha-256\n", list("-f", pg).out());
        r = saslpasswd("", "-d", "-f", pg, "alice@example.org");
        assertEquals(0, r.rc(), r.err());
        assertEquals("saslpasswd: user not found: alice@example.org (nothing deleted)\n", r.err());
    }

    @Test
    void deletingFromADatabaseWithoutTheSchemaCreatesNothing() throws Exception {
        Harness.Result r = saslpasswd("", "-d", "-f", cluster.address(), "alice@example.org");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.err().startsWith("saslpasswd: user not found: alice@example.org (nothing deleted)"), r.err());
        assertEquals("", sql("SELECT nspname FROM pg_namespace WHERE nspname = 'sasldb4j'"));
        // listing a database without the schema: the store is missing, one line, exit 1
        r = list("-f", cluster.address());
        assertEquals(1, r.rc(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void batchAddsAndDeletesManyUsersInPostgres() throws Exception {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            batch.append("add user").append(i).append("@example.org pw-").append(i).append('\n');
        }
        for (int i = 0; i < 300; i += 3) {
            batch.append("del user").append(i).append("@example.org\n");
        }
        Harness.Result r = saslpasswd(batch.toString(), "--batch", "-", "-f", cluster.address());
        assertEquals(0, r.rc(), r.err());
        assertEquals("200", sql("SELECT count(*) FROM sasldb4j.records"));
        try (CredentialStore s = CredentialStore.open(cluster.address(), StoreOptions.readOnly())) {
            assertArrayEquals("pw-1".getBytes(UTF_8), s.get(UserId.of("user1", "example.org"), "userPassword").orElseThrow());
            assertTrue(s.get(UserId.of("user3", "example.org"), "userPassword").isEmpty());
        }
        // hashed, into the existing store
        r = saslpasswd("add hashed@example.org s3cret\n", "--batch", "-", "-n", "-f", cluster.address());
        assertEquals(0, r.rc(), r.err());
        assertEquals("3", sql("SELECT count(*) FROM sasldb4j.records WHERE authid = 'hashed'"));
    }

    /**
     * A real Cyrus Berkeley DB sasldb2 of the corpus goes into PostgreSQL and from there into a new
     * LMDB file: every record arrives with the same bytes (compared with a direct BDB -> LMDB copy).
     */
    @Test
    void convertsACorpusSasldb2IntoPostgresAndBackIntoLmdb() throws Exception {
        Path bdb = dir.resolve("small.sasldb2");
        try (InputStream in = getClass().getResourceAsStream("/corpus/small.sasldb2")) {
            Files.copy(in, bdb);
        }
        assertEquals(StoreFormat.BDB_HASH, StoreFormat.detect(bdb));
        Path direct = dir.resolve("direct.lmdb");
        assertEquals(0, convert("-q", bdb.toString(), direct.toString()).rc());

        String pg = cluster.address();
        Harness.Result r = convert(bdb.toString(), pg);
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("copied: 9 records, 9 users, 5 realms"), r.out());
        assertTrue(r.out().contains("verified: every copied record was read back from postgresql://"), r.out());
        assertTrue(r.out().contains("target: postgresql://sasldb4j@127.0.0.1:"), r.out());
        assertEquals("9", sql("SELECT count(*) FROM sasldb4j.records"));

        Path back = dir.resolve("back.lmdb");
        r = convert(pg, back.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("(a PostgreSQL sasldb4j store)"), r.out());
        assertEquals(StoreFormat.LMDB, StoreFormat.detect(back));
        Map<String, String> expected = records(direct.toString());
        assertEquals(9, expected.size());
        assertEquals(expected, records(pg));
        assertEquals(expected, records(back.toString()));

        // a second conversion into the database, which now holds records: refused, then merged
        r = convert(bdb.toString(), pg);
        assertEquals(1, r.rc(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("already holds records") && r.err().contains("--merge"), r.err());
        r = convert("--merge", back.toString(), pg);
        assertEquals(0, r.rc(), r.err());
        assertEquals(expected, records(pg));

        // LMDB -> PostgreSQL as a fresh target too
        sql("DROP SCHEMA sasldb4j CASCADE");
        r = convert(back.toString(), pg);
        assertEquals(0, r.rc(), r.err());
        assertEquals(expected, records(pg));
        // same database on both sides
        r = convert(pg, pg);
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("same store"), r.err());
    }

    /** Keys PostgreSQL's text cannot hold (not UTF-8, NUL) stop the conversion; nothing is written. */
    @Test
    void aSourceWithKeysThatAreNotUtf8IsRefusedWholeInOneLine() throws Exception {
        Path dump = dir.resolve("dump-print.txt");
        try (InputStream in = getClass().getResourceAsStream("/generated/dump-print.txt")) {
            Files.copy(in, dump);
        }
        Harness.Result r = convert(dump.toString(), cluster.address());
        assertEquals(1, r.rc(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("LMDB"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        // the schema may have been created (empty); no record was
        if (!sql("SELECT to_regclass('sasldb4j.records')").isEmpty()) {
            assertEquals("0", sql("SELECT count(*) FROM sasldb4j.records"));
        }
    }

    @Test
    void aPasswordInTheAddressIsRefusedAndNothingIsWritten() throws Exception {
        String password = applicationPassword();
        String withPassword = cluster.url().replace("postgresql://sasldb4j@", "postgresql://sasldb4j:" + password + "@");
        Harness.Result r = saslpasswd("pw\n", "-p", "-c", "-f", withPassword, "alice@example.org");
        assertEquals(1, r.rc(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("~/.pgpass"), r.err());
        assertFalse(r.err().contains(password), r.err());
        for (Harness.Result other : List.of(list("-f", withPassword), convert(withPassword, dir.resolve("x").toString()))) {
            assertEquals(1, other.rc(), other.err());
            assertFalse(other.err().contains(password), other.err());
            assertTrue(other.err().contains("PGPASSWORD"), other.err());
        }
        assertEquals("", sql("SELECT nspname FROM pg_namespace WHERE nspname = 'sasldb4j'"));
    }

    /** The application role's password, from the cluster's pgpass file. */
    private static String applicationPassword() throws java.io.IOException {
        for (String line : Files.readAllLines(cluster.pgpass(), UTF_8)) {
            String[] f = line.split(":", 5);
            if (f.length == 5 && f[3].equals("sasldb4j")) {
                return f[4];
            }
        }
        throw new IllegalStateException("no sasldb4j line in " + cluster.pgpass());
    }

    /** A server nobody answers on: one line naming it, no stack trace, the store-error status 1. */
    @Test
    void anUnreachableServerIsOneLineAndExitStatusOne() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String down = "postgresql://sasldb4j@127.0.0.1:" + port + "/sasldb4j?passfile=" + cluster.pgpass()
                + "&connect_timeout=3";
        List<Harness.Result> results = new ArrayList<>();
        results.add(saslpasswd("pw\n", "-p", "-c", "-f", down, "alice@example.org"));
        results.add(saslpasswd("", "-d", "-f", down, "alice@example.org"));
        results.add(saslpasswd("add a@b c\n", "--batch", "-", "-f", down));
        results.add(list("-f", down));
        results.add(list("--json", down));
        results.add(convert(down, dir.resolve("out").toString()));
        for (Harness.Result r : results) {
            assertEquals(1, r.rc(), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains("127.0.0.1:" + port), r.err());
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
            assertEquals("", r.out());
        }
        assertFalse(Files.exists(dir.resolve("out")), "a target file for a failed conversion");
    }

    /** Wrong password in the pgpass file: authentication fails, one line, no password printed. */
    @Test
    void aRefusedLoginIsOneLine() throws Exception {
        Path wrong = dir.resolve("pgpass");
        String port = cluster.url().replaceAll(".*:(\\d+)/.*", "$1");
        Files.writeString(wrong, "127.0.0.1:" + port + ":*:sasldb4j:not-the-password\n", ISO_8859_1);
        Files.setPosixFilePermissions(wrong, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String refused = cluster.url() + "?passfile=" + wrong;
        Harness.Result r = saslpasswd("pw\n", "-p", "-c", "-f", refused, "alice@example.org");
        assertEquals(1, r.rc(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(r.err().contains("not-the-password"), r.err());
        r = list("-f", refused);
        assertEquals(1, r.rc(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }
}
