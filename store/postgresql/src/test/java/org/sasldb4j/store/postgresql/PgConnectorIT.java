package org.sasldb4j.store.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.StoreException;

/** Connecting to a real server: what works, and the one line each failure gives. */
class PgConnectorIT {
    private static PgCluster pg;

    @TempDir
    Path home;

    private final Map<String, String> env = new HashMap<>();
    private final List<String> warnings = new ArrayList<>();

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

    private PgConnector of(String address) {
        return PgConnector.of(address, env::get, home, warnings::add);
    }

    @Test
    void connectsWithThePasswordFileAndSetsTheSession() throws SQLException {
        env.putAll(pg.env());
        try (Connection c = of("postgresql://").connect(); Statement s = c.createStatement()) {
            assertFalse(c.getAutoCommit());
            ResultSet r = s.executeQuery("SELECT current_user, current_database(), current_setting('application_name'),"
                    + " current_setting('plan_cache_mode')");
            r.next();
            assertEquals("sasldb4j", r.getString(1));
            assertEquals("sasldb4j", r.getString(2));
            assertEquals("sasldb4j", r.getString(3));
            assertEquals("force_custom_plan", r.getString(4));
        }
    }

    @Test
    void anUnsafePasswordFileIsIgnoredEvenByTheDriver() throws IOException {
        Path unsafe = home.resolve("pgpass");
        Files.copy(pg.pgpass(), unsafe);
        Files.setPosixFilePermissions(unsafe, PosixFilePermissions.fromString("rw-r--r--"));
        env.put("PGPASSFILE", unsafe.toString());
        StoreException e = assertThrows(StoreException.class, () -> of(pg.url()).connect());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("group or world access"), warnings.get(0));
        assertOneLine(e, "authentication failed: the server asks for a password and none was found");
        assertTrue(e.getMessage().contains("set PGPASSWORD or add a line 127.0.0.1:" + pg.port() + ":sasldb4j:sasldb4j:"),
                e.getMessage());
    }

    @Test
    void aWrongPasswordSaysAuthenticationFailedAndWhereItCameFrom() {
        String secret = "wrong-Secret-42";
        env.put("PGPASSWORD", secret);
        StoreException e = assertThrows(StoreException.class, () -> of(pg.url()).connect());
        assertOneLine(e, "authentication failed for user \"sasldb4j\" (password from PGPASSWORD)");
        assertFalse(e.getMessage().contains(secret));
        e = assertThrows(StoreException.class,
                () -> of(pg.url().replace("sasldb4j@", "sasldb4j:" + secret + "@")).connect());
        assertOneLine(e, "(password from the address)");
        assertFalse(e.getMessage().contains(secret), e.getMessage());
        assertTrue(e.getMessage().startsWith("postgresql://sasldb4j:***@127.0.0.1"), e.getMessage());
    }

    @Test
    void aMissingDatabaseIsNamed() {
        env.put("PGPASSFILE", pg.pgpass().toString());
        StoreException e = assertThrows(StoreException.class,
                () -> of(pg.url().replaceFirst("/sasldb4j$", "/nosuchdb")).connect());
        assertOneLine(e, "database \"nosuchdb\" does not exist");
    }

    @Test
    void aClosedPortIsUnreachable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StoreException e = assertThrows(StoreException.class,
                () -> of("postgresql://u@127.0.0.1:" + port + "/db").connect());
        assertOneLine(e, "server unreachable: connection to 127.0.0.1:" + port + " refused");
    }

    @Test
    void requiringTlsFromAServerWithoutItFailsClearly() {
        env.put("PGPASSFILE", pg.pgpass().toString());
        StoreException e = assertThrows(StoreException.class, () -> of(pg.url() + "?sslmode=require").connect());
        assertOneLine(e, "TLS failed: the server does not support TLS (sslmode=require)");
    }

    static void assertOneLine(StoreException e, String part) {
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
