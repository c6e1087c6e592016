package org.sasldb4j.store.postgresql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreOptions;

/**
 * TLS to the server with certificate verification (docs/postgresql.md, "TLS"): a private cluster
 * with a certificate for 127.0.0.1 and localhost signed by its own CA.
 */
class PgTlsIT {
    private static PgCluster pg;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void up() {
        pg = PgCluster.start(true);
    }

    @AfterAll
    static void down() {
        if (pg != null) {
            pg.close();
        }
    }

    private static String address(String host, String sslmode, Path ca) {
        return "postgresql://sasldb4j@" + host + ":" + pg.port() + "/sasldb4j?sslmode=" + sslmode + "&sslrootcert=" + ca
                + "&passfile=" + pg.pgpass();
    }

    @Test
    void verifyFullWithTheRightCaConnectsOverTls() throws SQLException {
        for (String host : List.of("127.0.0.1", "localhost")) {
            try (Connection c = PgConnector.of(address(host, "verify-full", pg.caFile())).connect();
                    Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                assertTrue(r.next());
                assertTrue(r.getBoolean(1), "the session is encrypted");
            }
        }
    }

    @Test
    void aStoreOpensOverVerifiedTls() {
        String address = address("127.0.0.1", "verify-full", pg.caFile());
        try (CredentialStore s = CredentialStore.open(address, StoreOptions.create())) {
            s.update(w -> w.put(org.sasldb4j.store.UserId.of("alice", "r"), "userPassword",
                    "p".getBytes(StandardCharsets.UTF_8)));
            assertArrayEquals("p".getBytes(StandardCharsets.UTF_8),
                    s.get(org.sasldb4j.store.UserId.of("alice", "r"), "userPassword").orElseThrow());
        }
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedInOneLine() throws Exception {
        Path otherCa = otherCa();
        for (String mode : List.of("verify-full", "verify-ca")) {
            StoreException e = assertThrows(StoreException.class,
                    () -> PgConnector.of(address("127.0.0.1", mode, otherCa)).connect());
            assertTrue(e.getMessage().contains("TLS failed: the server's certificate is not signed by a trusted CA"
                    + " (check sslrootcert) (sslmode=" + mode + ", sslrootcert=" + otherCa + ")"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        // The store names the failure the same way.
        StoreException e = assertThrows(StoreException.class,
                () -> CredentialStore.open(address("127.0.0.1", "verify-full", otherCa), StoreOptions.readOnly()));
        assertTrue(e.getMessage().contains("TLS failed"), e.getMessage());
    }

    @Test
    void aMissingCaFileIsNamed() {
        Path missing = tmp.resolve("no-such-ca.crt");
        StoreException e = assertThrows(StoreException.class,
                () -> PgConnector.of(address("127.0.0.1", "verify-full", missing)).connect());
        assertTrue(e.getMessage().contains("TLS failed"), e.getMessage());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void disableStaysInTheClear() throws SQLException {
        try (Connection c = PgConnector.of(address("127.0.0.1", "disable", pg.caFile())).connect();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertTrue(r.next());
            assertEquals(false, r.getBoolean(1));
        }
    }

    /** A CA that did not sign the server's certificate. */
    private static Path otherCa() throws IOException, InterruptedException {
        Path key = tmp.resolve("other-ca.key");
        Path crt = tmp.resolve("other-ca.crt");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=another CA", "-keyout", key.toString(), "-out", crt.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        return crt;
    }
}
