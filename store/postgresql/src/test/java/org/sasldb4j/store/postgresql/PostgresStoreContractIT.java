package org.sasldb4j.store.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sasldb4j.store.Backend;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.CredentialStoreContract;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreFormat;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;

/**
 * The store contract against a real PostgreSQL (a private cluster), through
 * {@link CredentialStore#open(String, StoreOptions)} and the ServiceLoader, as the tools open it;
 * plus what only a server store does.
 */
class PostgresStoreContractIT extends CredentialStoreContract {
    private static PgCluster pg;

    @BeforeAll
    static void up() {
        pg = PgCluster.start();
    }

    @AfterAll
    static void down() {
        if (pg != null) {
            pg.close();
        }
    }

    /** Every test starts from a database without a store. */
    @BeforeEach
    void dropTheStore() {
        pg.psql("DROP SCHEMA IF EXISTS sasldb4j CASCADE");
    }

    @Override
    protected Backend backend() {
        return Backend.LMDB; // ignored by a server store
    }

    @Override
    protected StoreFormat expectedFormat() {
        return StoreFormat.POSTGRESQL;
    }

    @Override
    protected String storeName() {
        return pg.address();
    }

    @Override
    protected void assertNothingCreated() {
        assertEquals("t", pg.psql("SELECT to_regnamespace('sasldb4j') IS NULL").strip());
    }

    @Test
    void namesThePathAndTheMessagesWithoutThePassword() {
        String secret = "Pw-" + System.nanoTime();
        pg.psql("ALTER ROLE sasldb4j PASSWORD '" + secret + "'");
        try {
            String address = pg.url().replace("sasldb4j@", "sasldb4j:" + secret + "@");
            try (CredentialStore s = CredentialStore.open(address, StoreOptions.create())) {
                assertEquals(StoreFormat.POSTGRESQL, s.format());
                assertFalse(s.name().contains(secret), s.name());
                assertFalse(s.path().toString().contains(secret), s.path().toString());
                assertFalse(s.toString().contains(secret), s.toString());
                assertEquals(Path.of(s.name()), s.path());
                StoreException e = assertThrows(StoreException.class,
                        () -> s.update(w -> w.put(UserId.of("x".repeat(600), ""), "p", bytes("v"))));
                assertFalse(e.getMessage().contains(secret), e.getMessage());
            }
        } finally {
            // Back to the password the cluster's pgpass holds.
            pg.psql("ALTER ROLE sasldb4j PASSWORD '" + pgpassPassword() + "'");
        }
    }

    @Test
    void refusesKeysThatAreNotUtf8SayingToUseLmdb() {
        UserId odd = UserId.ofBytes(new byte[] {(byte) 0xff, 'x'}, new byte[0]);
        try (CredentialStore s = create()) {
            StoreException e = assertThrows(StoreException.class,
                    () -> s.update(w -> w.put(odd, "userPassword", bytes("v"))));
            assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
            assertTrue(e.getMessage().contains("LMDB store"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            // Such a key cannot be there: reads and deletes find nothing.
            assertTrue(s.get(odd, "userPassword").isEmpty());
            assertTrue(s.user(odd).isEmpty());
            assertEquals(0, (int) s.<Integer>write(w -> w.deleteUser(odd)));
            assertEquals(0, (int) s.<Integer>write(w -> w.existingUsers(java.util.List.of(odd)).size()));
            assertEquals(0, (int) s.<Integer>write(w -> w.deleteUsers(java.util.List.of(odd))));
            assertEquals(0, (int) s.<Integer>write(w -> w.deleteProperties(java.util.List.of(odd), java.util.List.of("p"))));
            assertTrue(all(s).isEmpty());
        }
    }

    @Test
    void aNewerSchemaIsRefusedAndLeftAlone() {
        createWithAlice();
        pg.psql("UPDATE sasldb4j.schema_version SET version = 99");
        for (StoreOptions o : List.of(StoreOptions.readOnly(), StoreOptions.create())) {
            StoreException e = assertThrows(StoreException.class, () -> open(o));
            assertTrue(e.getMessage().contains("schema is version 99, newer than this sasldb4j understands (1)"),
                    e.getMessage());
        }
        assertEquals("99", pg.psql("SELECT version FROM sasldb4j.schema_version").strip());
    }

    @Test
    void writesAreLoggedForReplicasInCommitOrder() {
        try (CredentialStore s = create()) {
            s.update(w -> {
                for (int i = 0; i < 1200; i++) { // more than one batch
                    w.put(UserId.of("u" + i, "r"), "userPassword", bytes("p"));
                }
            });
            s.update(w -> w.deleteUser(UserId.of("u7", "r")));
        }
        assertEquals("1201", pg.psql("SELECT count(*) FROM sasldb4j.changes").strip());
        assertEquals("u7|r", pg.psql("SELECT authid, realm FROM sasldb4j.changes ORDER BY seq DESC LIMIT 1").strip());
    }

    @Test
    void aStoreSurvivesTheServerRestarting() {
        try (CredentialStore s = create()) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("before")));
            pg.halt();
            StoreException down = assertThrows(StoreException.class, () -> s.get(ALICE, "userPassword"));
            assertTrue(down.getMessage().contains("server unreachable"), down.getMessage());
            assertFalse(down.getMessage().contains("\n"), down.getMessage());
            pg.restart();
            assertEquals("before", new String(s.get(ALICE, "userPassword").orElseThrow()));
            s.update(w -> w.put(ALICE, "userPassword", bytes("after")));
            assertEquals("after", new String(s.get(ALICE, "userPassword").orElseThrow()));
        }
    }

    @Test
    void twoToolsCreatingAtOnceMakeOneSchema() throws Exception {
        int n = 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < n; i++) {
                int k = i;
                done.add(pool.submit(() -> {
                    go.await();
                    try (CredentialStore s = create()) {
                        s.update(w -> w.put(UserId.of("u" + k, "r"), "userPassword", bytes("p")));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        try (CredentialStore s = open(StoreOptions.readOnly())) {
            assertEquals(n, all(s).size());
        }
    }

    /**
     * A client that locks a row without taking the writers' advisory lock first (psql, Cyrus) can
     * deadlock with a sasldb4j writer: PostgreSQL aborts one of them (40P01), and sasldb4j runs
     * its work again.
     */
    @Test
    void aDeadlockWithAClientThatSkipsTheWritersLockIsRetried() throws Exception {
        createWithAlice();
        try (CredentialStore s = create();
                java.sql.Connection other = PgConnector.of(pg.superAddress()).connect();
                java.sql.Connection watch = PgConnector.of(pg.superAddress()).connect();
                java.sql.Statement os = other.createStatement()) {
            watch.setAutoCommit(true);
            // This client checks for deadlocks late: the writer is the one PostgreSQL aborts.
            os.execute("SET deadlock_timeout = '30s'");
            os.executeQuery("SELECT 1 FROM sasldb4j.records WHERE authid = 'alice' FOR UPDATE").close();
            java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.CompletableFuture<Void> writer = java.util.concurrent.CompletableFuture.runAsync(
                    () -> s.update(w -> {
                        runs.incrementAndGet();
                        w.put(ALICE, "userPassword", bytes("mine"));
                        w.get(ALICE, "userPassword"); // sends the batched put: waits for alice's row
                    }));
            // Until the writer holds the advisory lock and waits for the row.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try (java.sql.Statement q = watch.createStatement(); java.sql.ResultSet r = q.executeQuery(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                + " AND query LIKE 'INSERT INTO sasldb4j.records%'")) {
                    r.next();
                    if (r.getInt(1) == 1) {
                        break;
                    }
                }
                assertTrue(System.nanoTime() < deadline, "the writer never waited for the row");
                Thread.sleep(20);
            }
            // Now this client wants the advisory lock (a statement trigger fires on no rows too).
            os.executeUpdate("UPDATE sasldb4j.records SET value = value WHERE false");
            other.commit();
            writer.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(2, runs.get(), "aborted once by the deadlock detector, then run again");
            assertEquals("mine", new String(s.get(ALICE, "userPassword").orElseThrow(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** docs/postgresql.md §5 names every object the schema creates, and the schema creates nothing else. */
    @Test
    void theDocsNameEveryObjectOfTheSchema() throws java.io.IOException {
        try (CredentialStore s = create()) {
            assertEquals(StoreFormat.POSTGRESQL, s.format());
        }
        String objects = pg.psql("SELECT string_agg(x, ' ' ORDER BY x) FROM ("
                + " SELECT c.relname AS x FROM pg_class c WHERE c.relnamespace = 'sasldb4j'::regnamespace"
                + "   AND c.relkind IN ('r', 'S', 'v')"
                + " UNION ALL SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'sasldb4j'::regnamespace"
                + " UNION ALL SELECT t.tgname FROM pg_trigger t WHERE t.tgrelid = 'sasldb4j.records'::regclass"
                + "   AND NOT t.tgisinternal) o").strip();
        assertEquals("changes changes_seq dovecot_passdb log_change log_truncate records records_logged_delete"
                + " records_logged_insert records_logged_truncate records_logged_update schema_version", objects);
        String doc = java.nio.file.Files.readString(
                PgCluster.script().getParent().getParent().resolve("docs/postgresql.md"));
        String section = doc.substring(doc.indexOf("## 5. The schema"), doc.indexOf("## 6. Grants"));
        for (String name : objects.split(" ")) {
            assertTrue(section.contains(name), "docs/postgresql.md §5 does not name " + name);
        }
    }

    @Test
    void aDatabaseNotInUtf8IsRefused() {
        pg.psql("DROP DATABASE IF EXISTS latin");
        pg.psql("CREATE DATABASE latin OWNER sasldb4j ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
        String address = pg.address().replace("/sasldb4j?", "/latin?");
        StoreException e = assertThrows(StoreException.class, () -> CredentialStore.open(address, StoreOptions.create()));
        assertTrue(e.getMessage().contains("the database's encoding is LATIN1; sasldb4j needs UTF8"), e.getMessage());
    }

    private static String pgpassPassword() {
        try {
            for (String line : java.nio.file.Files.readAllLines(pg.pgpass())) {
                if (line.contains(":sasldb4j:")) {
                    return line.substring(line.lastIndexOf(':') + 1);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("no sasldb4j line in " + pg.pgpass());
    }
}
