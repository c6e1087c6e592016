package org.sasldb4j.store.sqlite;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sasldb4j.store.Backend;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.FileStoreContract;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.ForeignFormatException;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreFormat;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.StoreWriter;
import org.sasldb4j.store.UserId;

class SqliteStoreTest extends FileStoreContract {
    /** The statement docs/sqlite.md tells Cyrus to use. */
    static final String SQL_SELECT =
            "SELECT value FROM sasldb WHERE authid = '%u' AND realm = '%r' AND property = '%p'";

    @Override
    protected Backend backend() {
        return Backend.SQLITE;
    }

    @Test
    void schemaIsOneTableWithTextKeysWalAndAVersion() throws Exception {
        Path p = dir.resolve("sasldb2");
        try (CredentialStore s = create(p)) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("secret")));
            try (Connection c = jdbc(p); Statement st = c.createStatement()) {
                assertEquals(1, intOf(st, "PRAGMA user_version"));
                assertEquals("wal", stringOf(st, "PRAGMA journal_mode"));
                assertEquals("UTF-8", stringOf(st, "PRAGMA encoding"));
                assertEquals("sasldb", stringOf(st, "SELECT group_concat(name) FROM sqlite_schema"));
                List<String> cols = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("PRAGMA table_info(sasldb)")) {
                    while (rs.next()) {
                        cols.add(rs.getString("name") + ":" + rs.getString("type") + ":" + rs.getInt("pk"));
                    }
                }
                assertEquals(List.of("authid:TEXT:1", "realm:TEXT:2", "property:TEXT:3", "value:TEXT:0"), cols);
                assertEquals("text,text,text,text", stringOf(st,
                        "SELECT typeof(authid)||','||typeof(realm)||','||typeof(property)||','||typeof(value) FROM sasldb"));
            }
        }
    }

    @Test
    void cyrusSqlSelectFindsThePassword() throws Exception {
        Path p = dir.resolve("sasldb2");
        try (CredentialStore s = create(p)) {
            s.update(w -> {
                w.put(ALICE, "userPassword", bytes("secret"));
                w.put(UserId.of("bob", ""), "userPassword", bytes("pässwörd"));
            });
        }
        try (Connection c = jdbc(p); Statement st = c.createStatement()) {
            assertEquals("secret", stringOf(st, cyrusQuery("alice", "example.org", "userPassword")));
            assertEquals("pässwörd", stringOf(st, cyrusQuery("bob", "", "userPassword")));
            // PLAIN also asks for cmusaslsecretPLAIN: no row, as Cyrus expects.
            try (ResultSet rs = st.executeQuery(cyrusQuery("alice", "example.org", "cmusaslsecretPLAIN"))) {
                assertFalse(rs.next());
            }
            try (ResultSet rs = st.executeQuery(cyrusQuery("alice", "EXAMPLE.ORG", "userPassword"))) {
                assertFalse(rs.next(), "realms compare case-sensitively, like sasldb");
            }
        }
    }

    @Test
    void cyrusQuotingBreaksOnApostrophesButTheStoreDoesNot() throws Exception {
        Path p = dir.resolve("sasldb2");
        UserId obrien = UserId.of("o'brien", "example.org");
        try (CredentialStore s = create(p)) {
            s.update(w -> w.put(obrien, "userPassword", bytes("it's")));
            assertArrayEquals(bytes("it's"), s.get(obrien, "userPassword").orElseThrow());
        }
        try (Connection c = jdbc(p); Statement st = c.createStatement()) {
            // Cyrus escapes ' as \' for sqlite3, which SQLite does not understand (docs/reference/cyrus-sasldb.md §12, defect D10).
            SQLException e = assertThrows(SQLException.class,
                    () -> st.executeQuery(cyrusQuery("o'brien", "example.org", "userPassword")));
            assertTrue(e.getMessage().contains("syntax error"), e.getMessage());
        }
        // A backslash is doubled by Cyrus but literal in SQLite: the id silently never matches.
        UserId backslash = UserId.of("dom\\user", "example.org");
        try (CredentialStore s = create(p)) {
            s.update(w -> w.put(backslash, "userPassword", bytes("p")));
        }
        try (Connection c = jdbc(p); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(cyrusQuery("dom\\user", "example.org", "userPassword"))) {
            assertFalse(rs.next());
        }
    }

    @Test
    void rawBytesRoundTripAsTextIncludingInvalidUtf8AndNul() throws Exception {
        byte[] every = new byte[255];
        for (int i = 0; i < every.length; i++) {
            every[i] = (byte) (i + 1);
        }
        byte[] withNul = {'a', 0, 'b', 0, 0, (byte) 0xff};
        byte[] leadingNul = {0, 'x'};
        UserId odd = UserId.ofBytes(new byte[] {(byte) 0xc3, (byte) 0x28, (byte) 0xff}, new byte[] {(byte) 0x80, 'r'});
        Path p = dir.resolve("db");
        try (CredentialStore s = create(p)) {
            s.update(w -> {
                w.put(odd, "userPassword", every);
                w.put(odd, "nul", withNul);
                w.put(odd, "lead", leadingNul);
                w.put(odd, "empty", new byte[0]);
                w.put(Entry.of(new byte[] {'u'}, new byte[0], new byte[] {(byte) 0xfe, 'p'}, bytes("v")));
            });
        }
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.readOnly())) {
            assertArrayEquals(every, s.get(odd, "userPassword").orElseThrow());
            assertArrayEquals(withNul, s.get(odd, "nul").orElseThrow());
            assertArrayEquals(leadingNul, s.get(odd, "lead").orElseThrow());
            assertArrayEquals(new byte[0], s.get(odd, "empty").orElseThrow());
            List<Entry> mine = s.user(odd);
            assertEquals(List.of("empty", "lead", "nul", "userPassword"), mine.stream().map(Entry::property).toList());
            List<Entry> all = all(s);
            assertEquals(5, all.size());
            assertArrayEquals(new byte[] {(byte) 0xc3, (byte) 0x28, (byte) 0xff}, all.get(4).authidBytes(),
                    "0xc3 sorts after 'u' (unsigned)");
            assertArrayEquals(new byte[] {(byte) 0x80, 'r'}, all.get(4).realmBytes());
            assertArrayEquals(new byte[] {(byte) 0xfe, 'p'}, all.get(0).propertyBytes());
        }
        try (Connection c = jdbc(p); Statement st = c.createStatement()) {
            // Stored as TEXT with every byte kept: SQLite's length() stops at the first NUL, the
            // bytes do not. Cyrus copies the value with strdup(), so it sees only "a" (docs/sqlite.md).
            assertEquals("text", stringOf(st, "SELECT typeof(value) FROM sasldb WHERE property = 'nul'"));
            assertEquals(1, intOf(st, "SELECT length(value) FROM sasldb WHERE property = 'nul'"));
            assertEquals(6, intOf(st, "SELECT length(CAST(value AS BLOB)) FROM sasldb WHERE property = 'nul'"));
            assertEquals(255, intOf(st, "SELECT length(CAST(value AS BLOB)) FROM sasldb WHERE property = 'userPassword'"));
        }
    }

    @Test
    void orderIsUnsignedBytewiseLikeLmdb() {
        try (CredentialStore s = create(dir.resolve("db"))) {
            List<Entry> in = List.of(
                    Entry.of(new byte[] {(byte) 0x80}, new byte[0], bytes("p"), bytes("1")),
                    Entry.of(new byte[] {0x7f}, new byte[0], bytes("p"), bytes("2")),
                    Entry.of(bytes("a"), bytes("b"), bytes("p"), bytes("3")),
                    Entry.of(bytes("a"), bytes(""), bytes("q"), bytes("4")),
                    Entry.of(bytes("a"), bytes("b"), bytes("P"), bytes("5")),
                    Entry.of(new byte[] {(byte) 0xff}, new byte[0], bytes("p"), bytes("6")));
            s.update(w -> in.forEach(w::put));
            List<Entry> sorted = new ArrayList<>(in);
            sorted.sort(Entry::compareKeys);
            List<Entry> got = all(s);
            assertEquals(sorted.size(), got.size());
            for (int i = 0; i < sorted.size(); i++) {
                assertArrayEquals(sorted.get(i).key(), got.get(i).key(), "record " + i);
            }
        }
    }

    @Test
    void refusesForeignSqliteFilesWithoutTouchingThem() throws Exception {
        Path other = dir.resolve("other.db");
        sql(other, "CREATE TABLE users (username TEXT, password TEXT)", "INSERT INTO users VALUES ('a', 'b')");
        Path wrongColumns = dir.resolve("wrong.db");
        sql(wrongColumns, "CREATE TABLE sasldb (authid BLOB, realm BLOB, property BLOB, value BLOB)");
        Path newer = dir.resolve("newer.db");
        sql(newer, Schema.CREATE_TABLE, "PRAGMA user_version = 99");
        Path blank = dir.resolve("blank.db");
        sql(blank, "CREATE TABLE t (x)", "DROP TABLE t");
        for (Path p : List.of(other, wrongColumns, newer)) {
            byte[] before = Files.readAllBytes(p);
            for (StoreOptions o : List.of(StoreOptions.create(), StoreOptions.readOnly())) {
                ForeignFormatException e = assertThrows(ForeignFormatException.class,
                        () -> CredentialStore.open(p, o.withBackend(Backend.SQLITE)));
                assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
                assertTrue(e.getMessage().contains("refusing to touch it"), e.getMessage());
                assertEquals(StoreFormat.SQLITE, e.format());
            }
            assertArrayEquals(before, Files.readAllBytes(p), p.toString());
            assertFalse(Files.exists(SqliteBackend.walFile(p)));
        }
        ForeignFormatException e = assertThrows(ForeignFormatException.class,
                () -> CredentialStore.open(newer, StoreOptions.readOnly()));
        assertTrue(e.getMessage().contains("newer sasldb4j"), e.getMessage());
        // A SQLite file with no schema is not a zero-byte file: it is not ours to initialise.
        byte[] blankBefore = Files.readAllBytes(blank);
        assertTrue(blankBefore.length > 0);
        assertThrows(ForeignFormatException.class, () -> create(blank));
        assertArrayEquals(blankBefore, Files.readAllBytes(blank));
    }

    @Test
    void aDamagedSqliteFileIsReportedWithItsName() throws IOException {
        Path p = dir.resolve("db");
        byte[] junk = new byte[8192];
        System.arraycopy("SQLite format 3\0".getBytes(UTF_8), 0, junk, 0, 16);
        for (int i = 16; i < junk.length; i++) {
            junk[i] = (byte) (i * 31);
        }
        Files.write(p, junk);
        StoreException e = assertThrows(StoreException.class, () -> CredentialStore.open(p, StoreOptions.readOnly()));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        assertArrayEquals(junk, Files.readAllBytes(p));
    }

    @Test
    void readOnlyOpenChangesNothing() throws Exception {
        Path p = storeWithAlice();
        byte[] before = Files.readAllBytes(p);
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.readOnly())) {
            assertEquals(1, all(s).size());
            StoreException e = assertThrows(StoreException.class,
                    () -> s.update(w -> w.put(ALICE, "userPassword", bytes("changed"))));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
        assertArrayEquals(before, Files.readAllBytes(p));
    }

    @Test
    void sideFilesGetTheDataFilesMode() throws Exception {
        Path p = storeWithAlice();
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r-----"));
        try (CredentialStore s = create(p)) {
            s.update(w -> w.put(ALICE, "authPassword", bytes("q")));
            assertMode("rw-r-----", SqliteBackend.walFile(p));
            assertMode("rw-r-----", SqliteBackend.shmFile(p));
        }
        // Leftover side files that others could read are brought in line on open.
        Files.write(SqliteBackend.walFile(p), new byte[0]);
        Files.write(SqliteBackend.shmFile(p), new byte[0]);
        Files.setPosixFilePermissions(SqliteBackend.walFile(p), PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.setPosixFilePermissions(SqliteBackend.shmFile(p), PosixFilePermissions.fromString("rw-rw-r--"));
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.readOnly())) {
            assertEquals(2, all(s).size());
            assertMode("rw-r-----", SqliteBackend.walFile(p));
            assertMode("rw-r-----", SqliteBackend.shmFile(p));
        }
    }

    @Test
    void aWriterIsUnusableAfterItsTransaction() {
        try (CredentialStore s = create(dir.resolve("db"))) {
            StoreWriter leaked = s.write(w -> w);
            assertThrows(IllegalStateException.class, () -> leaked.put(ALICE, "userPassword", bytes("x")));
            assertTrue(s.get(ALICE, "userPassword").isEmpty());
        }
    }

    @Test
    void tooLongKeysAreRefusedWithoutTheValueInTheMessage() {
        try (CredentialStore s = create(dir.resolve("db"))) {
            UserId tooLong = UserId.of("a".repeat(500), "example.org");
            StoreException e = assertThrows(StoreException.class,
                    () -> s.update(w -> w.put(tooLong, "userPassword", bytes("hunter2"))));
            assertTrue(e.getMessage().contains("511"), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
            assertTrue(all(s).isEmpty());
        }
    }

    @Test
    void twoProcessesEachWriting400UsersBothSucceed() throws Exception {
        Path p = storeWithAlice();
        List<Process> procs = new ArrayList<>();
        List<ByteArrayOutputStream> errs = new ArrayList<>();
        for (String prefix : List.of("x", "y")) {
            ProcessBuilder pb = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    WriterProcess.class.getName(), p.toString(), prefix, "400");
            pb.redirectErrorStream(true);
            procs.add(pb.start());
        }
        // Read concurrently: readers must never block the writers or see half a transaction.
        try (CredentialStore reader = CredentialStore.open(p, StoreOptions.readOnly())) {
            while (procs.stream().anyMatch(Process::isAlive)) {
                assertTrue(all(reader).size() >= 1);
                Thread.sleep(20);
            }
        }
        for (Process proc : procs) {
            assertTrue(proc.waitFor(120, TimeUnit.SECONDS));
            String out = new String(proc.getInputStream().readAllBytes(), UTF_8);
            assertEquals(0, proc.exitValue(), out);
        }
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.readOnly())) {
            assertEquals(801, all(s).size());
        }
    }

    private static void assertMode(String mode, Path f) throws IOException {
        assertTrue(Files.exists(f), f + " exists");
        assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
    }

    /** {@link #SQL_SELECT} with Cyrus's macro expansion and sqlite3 escaping (backslash before ' and \). */
    static String cyrusQuery(String user, String realm, String property) {
        return SQL_SELECT.replace("%u", cyrusEscape(user)).replace("%r", cyrusEscape(realm))
                .replace("%p", property) + ";";
    }

    private static String cyrusEscape(String s) {
        return s.replace("\\", "\\\\").replace("'", "\\'");
    }

    private static Connection jdbc(Path p) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + p);
    }

    private static void sql(Path p, String... statements) throws SQLException {
        try (Connection c = jdbc(p); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private static String stringOf(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }

    private static int intOf(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getInt(1);
        }
    }
}
