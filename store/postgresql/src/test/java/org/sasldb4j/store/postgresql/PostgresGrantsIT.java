package org.sasldb4j.store.postgresql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;

/**
 * The grants of docs/postgresql.md §6, run as written there: the node role reads and cannot
 * write, the writer role writes (the change-log trigger included), a role with SELECT on the
 * Dovecot view alone reads the view.
 */
class PostgresGrantsIT {
    private static final UserId ALICE = UserId.of("alice", "example.org");
    private static PgCluster pg;

    @TempDir
    static Path tmp;

    private static Path passfile;

    @BeforeAll
    static void up() throws IOException {
        pg = PgCluster.start();
        try (CredentialStore owner = CredentialStore.open(pg.address(), StoreOptions.create())) {
            owner.update(w -> w.put(ALICE, "userPassword", bytes("p")));
        }
        for (String statement : grantsOfTheDocs()) {
            pg.psql(statement);
        }
        pg.psql("CREATE ROLE dovecot_reader LOGIN PASSWORD 'dovecot-pw'");
        pg.psql("GRANT USAGE ON SCHEMA sasldb4j TO dovecot_reader");
        pg.psql("GRANT SELECT ON sasldb4j.dovecot_passdb TO dovecot_reader");
        passfile = tmp.resolve("pgpass");
        Files.writeString(passfile, String.join("\n", "127.0.0.1:" + pg.port() + ":*:sasldb4j_node:node-pw",
                "127.0.0.1:" + pg.port() + ":*:sasldb4j_writer:writer-pw",
                "127.0.0.1:" + pg.port() + ":*:dovecot_reader:dovecot-pw", ""));
        Files.setPosixFilePermissions(passfile, PosixFilePermissions.fromString("rw-------"));
    }

    @AfterAll
    static void down() {
        if (pg != null) {
            pg.close();
        }
    }

    /** The SQL block of docs/postgresql.md §6, statement by statement, with test passwords. */
    static List<String> grantsOfTheDocs() throws IOException {
        Path doc = PgCluster.script().getParent().getParent().resolve("docs/postgresql.md");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int section = text.indexOf("## 6. Grants");
        int start = text.indexOf("```sql\n", section) + "```sql\n".length();
        int end = text.indexOf("```", start);
        String sql = text.substring(start, end).replaceAll("(?m)^--.*$", "");
        sql = sql.replace("sasldb4j_node LOGIN PASSWORD '...'", "sasldb4j_node LOGIN PASSWORD 'node-pw'")
                .replace("sasldb4j_writer LOGIN PASSWORD '...'", "sasldb4j_writer LOGIN PASSWORD 'writer-pw'");
        List<String> out = new ArrayList<>();
        for (String s : sql.split(";")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        assertTrue(out.size() >= 10, "the grants were found in " + doc + ": " + out);
        return out;
    }

    private static String as(String role) {
        return "postgresql://" + role + "@127.0.0.1:" + pg.port() + "/sasldb4j?passfile=" + passfile;
    }

    @Test
    void theNodeRoleReadsAndCannotWrite() {
        try (CredentialStore s = CredentialStore.open(as("sasldb4j_node"), StoreOptions.readOnly())) {
            assertArrayEquals(bytes("p"), s.get(ALICE, "userPassword").orElseThrow());
            List<String> all = new ArrayList<>();
            s.forEach(e -> all.add(e.toString()));
            assertTrue(all.contains("alice@example.org: userPassword"), all.toString());
        }
        try (CredentialStore s = CredentialStore.open(as("sasldb4j_node"),
                StoreOptions.readOnly().withAccess(StoreOptions.Access.READ_WRITE))) {
            StoreException e = assertThrows(StoreException.class,
                    () -> s.update(w -> w.put(ALICE, "userPassword", bytes("hacked"))));
            assertTrue(e.getMessage().contains("permission denied for table records (grants: see docs/postgresql.md)"),
                    e.getMessage());
            assertArrayEquals(bytes("p"), s.get(ALICE, "userPassword").orElseThrow());
        }
    }

    /** A replica needs the sequence too: without its grant the node failed to start (and said 25P02). */
    @Test
    void theNodeRoleKeepsAReplica(@TempDir Path replicaDir) throws Exception {
        Path file = replicaDir.resolve("sasldb2");
        try (Replica r = Replica.start(as("sasldb4j_node"), file, Replica.Settings.DEFAULT,
                java.util.logging.Logger.getLogger("PostgresGrantsIT"))) {
            for (int i = 0; i < 600 && r.status().state() != Replica.State.FOLLOWING; i++) {
                Thread.sleep(100);
            }
            assertEquals(Replica.State.FOLLOWING, r.status().state(), "replica state as the node role");
        }
        try (CredentialStore s = CredentialStore.open(file, StoreOptions.readOnly())) {
            assertArrayEquals(bytes("p"), s.get(ALICE, "userPassword").orElseThrow());
        }
    }

    @Test
    void theWriterRoleWritesAndItsChangesAreLogged() {
        int before = Integer.parseInt(pg.psql("SELECT count(*) FROM sasldb4j.changes").strip());
        UserId bob = UserId.of("bob", "example.org");
        try (CredentialStore s = CredentialStore.open(as("sasldb4j_writer"), StoreOptions.create())) {
            s.update(w -> w.put(bob, "userPassword", bytes("b")));
            s.update(w -> w.put(bob, "userPassword", bytes("b2")));
            assertEquals(1, (int) s.<Integer>write(w -> w.deleteUser(bob)));
        }
        assertEquals(before + 4, Integer.parseInt(pg.psql("SELECT count(*) FROM sasldb4j.changes").strip()),
                "insert, update (old and new), delete");
    }

    @Test
    void theDovecotViewAloneIsEnoughForDovecot() throws SQLException {
        try (Connection c = PgConnector.of(as("dovecot_reader")).connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT \"user\", password FROM sasldb4j.dovecot_passdb"
                        + " WHERE authid = 'alice' AND realm = 'example.org'")) {
            assertTrue(r.next());
            assertEquals("alice@example.org", r.getString(1));
            assertEquals("{PLAIN}p", r.getString(2));
        }
        try (Connection c = PgConnector.of(as("dovecot_reader")).connect(); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM sasldb4j.records"));
            assertEquals("42501", e.getSQLState());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
