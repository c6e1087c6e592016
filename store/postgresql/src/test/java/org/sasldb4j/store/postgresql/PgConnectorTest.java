package org.sasldb4j.store.postgresql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.StoreException;

/** Naming a store the libpq way: docs/reference/libpq.md is what these cases check. */
class PgConnectorTest {
    private static final String SECRET = "s3cr3t-Pa55";

    @TempDir
    Path home;

    private final Map<String, String> env = new HashMap<>();
    private final List<String> warnings = new ArrayList<>();

    private PgConnector of(String address) {
        return PgConnector.of(address, env::get, home, warnings::add);
    }

    @Test
    void aFullUriGivesEveryPart() {
        PgConnector c = of("postgresql://admin@db.example.org:6543/users?sslmode=verify-full&sslrootcert=/etc/ca.crt"
                + "&connect_timeout=3&application_name=batch");
        assertEquals("db.example.org", c.host());
        assertEquals(6543, c.port());
        assertEquals("users", c.database());
        assertEquals("admin", c.user());
        assertEquals("verify-full", c.sslmode());
        assertEquals("/etc/ca.crt", c.sslrootcert());
        assertEquals(3, c.connectTimeoutSeconds());
        assertEquals("batch", c.applicationName());
        assertEquals("postgresql://admin@db.example.org:6543/users?sslmode=verify-full", c.displayName());
    }

    @Test
    void gapsAreFilledFromTheEnvironmentThenDefaults() {
        env.put("PGHOST", "envhost");
        env.put("PGUSER", "envuser");
        env.put("PGSSLMODE", "require");
        PgConnector c = of("postgres://");
        assertEquals("envhost", c.host());
        assertEquals(5432, c.port());
        assertEquals("envuser", c.user());
        assertEquals("envuser", c.database(), "libpq: the database defaults to the user name");
        assertEquals("require", c.sslmode());
        assertEquals(10, c.connectTimeoutSeconds());
        assertEquals("sasldb4j", c.applicationName());
        env.clear();
        PgConnector d = of("postgresql:///");
        assertEquals("localhost", d.host());
        assertEquals(System.getProperty("user.name"), d.user());
        assertEquals("prefer", d.sslmode());
    }

    @Test
    void theAddressWinsOverTheEnvironment() {
        env.put("PGHOST", "envhost");
        env.put("PGPORT", "1111");
        PgConnector c = of("postgresql://h:2222/db");
        assertEquals("h", c.host());
        assertEquals(2222, c.port());
    }

    @Test
    void percentEncodingAndIpv6() {
        PgConnector c = of("postgresql://us%40er@[::1]:5433/my%20db");
        assertEquals("us@er", c.user());
        assertEquals("::1", c.host());
        assertEquals(5433, c.port());
        assertEquals("my db", c.database());
        assertEquals("postgresql://us%40er@[::1]:5433/my%20db", c.displayName());
        assertThrows(StoreException.class, () -> of("postgresql://h/db%zz"));
        assertThrows(StoreException.class, () -> of("postgresql://h/db%00x"));
        assertThrows(StoreException.class, () -> of("postgresql://h/db%"));
    }

    @Test
    void jdbcStyleSslTrueMeansRequire() {
        assertEquals("require", of("postgresql://h/db?ssl=true").sslmode());
    }

    @Test
    void refusesWhatItCannotHonour() {
        assertMessage("unknown connection parameter 'sslmod'", () -> of("postgresql://h/db?sslmod=require"));
        assertMessage("invalid sslmode 'strict'", () -> of("postgresql://h/db?sslmode=strict"));
        assertMessage("several hosts", () -> of("postgresql://h1,h2/db"));
        assertMessage("Unix-domain socket", () -> of("postgresql://%2Fvar%2Frun%2Fpostgresql/db"));
        assertMessage("invalid port (a whole number from 1 to 65535)", () -> of("postgresql://h:x/db"));
        assertMessage("invalid port (a whole number from 1 to 65535)", () -> of("postgresql://h:70000/db"));
        assertMessage("invalid connect_timeout (a whole number)", () -> of("postgresql://h/db?connect_timeout=soon"));
        assertMessage("not a PostgreSQL address", () -> of("/var/lib/sasldb2"));
    }

    @Test
    void keywordValueStringsWithQuotes() {
        Path f = write(".pg_service.conf", "[fleet]\nhost=db1\n");
        PgConnector c = of("service=fleet dbname='my \\'quoted\\' db' port = 7000");
        assertEquals("db1", c.host());
        assertEquals("my 'quoted' db", c.database());
        assertEquals(7000, c.port());
        assertTrue(Files.exists(f));
        assertMessage("unterminated quoted value", () -> of("service=fleet dbname='x"));
        assertMessage("missing '='", () -> of("service=fleet dbname"));
    }

    @Test
    void serviceFileUserFileFirstThenSystem() {
        write(".pg_service.conf", "# mine\n[mine]\nhost=userhost\nport=6000\n\n[other]\nhost=wrong\n");
        Path sys = home.resolve("etc");
        write("etc/pg_service.conf", "[mine]\nhost=syshost\n[fleet]\nhost=db.internal\ndbname=sasl\nuser=node\n"
                + "sslmode=verify-full\nsslrootcert=/etc/ssl/fleet-ca.crt\n");
        env.put("PGSYSCONFDIR", sys.toString());
        PgConnector mine = of("service=mine");
        assertEquals("userhost", mine.host());
        assertEquals(6000, mine.port());
        PgConnector fleet = of("service=fleet");
        assertEquals("db.internal", fleet.host());
        assertEquals("sasl", fleet.database());
        assertEquals("node", fleet.user());
        assertEquals("verify-full", fleet.sslmode());
        assertEquals("/etc/ssl/fleet-ca.crt", fleet.sslrootcert());
        assertEquals("service=fleet (postgresql://node@db.internal:5432/sasl?sslmode=verify-full)", fleet.describe());
        // The address wins over the service file, the service file over the environment.
        env.put("PGPORT", "1234");
        env.put("PGUSER", "envuser");
        PgConnector over = of("service=fleet user=admin");
        assertEquals("admin", over.user());
        assertEquals(1234, over.port());
        // ?service= in a URI and PGSERVICE work too.
        assertEquals("db.internal", of("postgresql:///?service=fleet").host());
        env.put("PGSERVICE", "fleet");
        assertEquals("db.internal", of("postgresql://").host());
    }

    @Test
    void serviceFileNamedByPgservicefile() {
        Path f = write("elsewhere.conf", "[x]\nhost=fromenvfile\n");
        env.put("PGSERVICEFILE", f.toString());
        env.put("PGSYSCONFDIR", home.resolve("nothing").toString());
        assertEquals("fromenvfile", of("service=x").host());
        assertMessage("definition of service \"y\" not found", () -> of("service=y"));
    }

    @Test
    void serviceFileErrorsNameTheLine() {
        write(".pg_service.conf", "[bad]\nhost db1\n");
        assertMessage("syntax error in service file " + home.resolve(".pg_service.conf") + ", line 2",
                () -> of("service=bad"));
        write(".pg_service.conf", "[bad]\nservice=other\n");
        assertMessage("nested service", () -> of("service=bad"));
        write(".pg_service.conf", "[bad]\nhostt=x\n");
        assertMessage("unknown connection parameter 'hostt'", () -> of("service=bad"));
    }

    @Test
    void passwordPrecedenceAddressThenPgpasswordThenPassfile() throws IOException {
        Path pass = pgpass("h:5432:db:u:from-file\n");
        env.put("PGPASSFILE", pass.toString());
        PgConnector.PasswordSource[] src = new PgConnector.PasswordSource[1];
        assertArrayEquals("from-file".toCharArray(), of("postgresql://u@h/db").password(src));
        assertEquals(PgConnector.PasswordSource.PASSFILE, src[0]);
        env.put("PGPASSWORD", "from-env");
        assertArrayEquals("from-env".toCharArray(), of("postgresql://u@h/db").password(src));
        assertEquals(PgConnector.PasswordSource.ENVIRONMENT, src[0]);
        assertArrayEquals("from-uri".toCharArray(), of("postgresql://u:from-uri@h/db").password(src));
        assertEquals(PgConnector.PasswordSource.ADDRESS, src[0]);
        env.remove("PGPASSWORD");
        // passfile= beats PGPASSFILE.
        Path other = Files.writeString(home.resolve("other"), "*:*:*:*:from-param\n");
        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rw-------"));
        assertArrayEquals("from-param".toCharArray(), of("postgresql://u@h/db?passfile=" + other).password(src));
        // ~/.pgpass by default.
        env.remove("PGPASSFILE");
        Files.move(pass, home.resolve(".pgpass"));
        assertArrayEquals("from-file".toCharArray(), of("postgresql://u@h/db").password(src));
        assertNull(of("postgresql://v@h/db").password(src));
        assertEquals(PgConnector.PasswordSource.NONE, src[0]);
    }

    @Test
    void pgpassMatchingWildcardsEscapesAndFirstLineWins() {
        String file = String.join("\n",
                "# comment:*:*:*:never",
                "db1:5432:sasl:node:first",
                "db1:5432:sasl:node:second",
                "*:5433:*:node:any-host",
                "h\\:x:*:*:*:escaped-host",
                "db2:*:*:back\\\\slash:pw\\:with\\\\escapes:trailing",
                "short:line",
                "db3:5432:sasl:node:",
                "*:*:*:*:fallback\r",
                "");
        char[] t = file.toCharArray();
        assertArrayEquals("first".toCharArray(), PgPassFile.match(t, "db1", "5432", "sasl", "node"));
        assertArrayEquals("any-host".toCharArray(), PgPassFile.match(t, "other", "5433", "x", "node"));
        assertArrayEquals("escaped-host".toCharArray(), PgPassFile.match(t, "h:x", "1", "d", "u"));
        assertArrayEquals("pw:with\\escapes".toCharArray(), PgPassFile.match(t, "db2", "1", "d", "back\\slash"));
        assertArrayEquals(new char[0], PgPassFile.match(t, "db3", "5432", "sasl", "node"));
        assertArrayEquals("fallback".toCharArray(), PgPassFile.match(t, "db1", "5432", "sasl", "nobody"));
        // '*' is a wildcard only as a whole field; "\*" is a literal star.
        char[] literal = "\\*:*:*:*:star\nab*:*:*:*:prefix\n".toCharArray();
        assertNull(PgPassFile.match(literal, "anything", "1", "d", "u"));
        assertArrayEquals("star".toCharArray(), PgPassFile.match(literal, "*", "1", "d", "u"));
        assertArrayEquals("prefix".toCharArray(), PgPassFile.match(literal, "ab*", "1", "d", "u"));
        assertNull(PgPassFile.match("db1:5432:sasl:nod:x\n".toCharArray(), "db1", "5432", "sasl", "node"),
                "a prefix of the value is no match");
        assertNull(PgPassFile.match("db1:5432:sasl:node\n".toCharArray(), "db1", "5432", "sasl", "node"),
                "a line without a password field is skipped");
    }

    @Test
    void pgpassReadableByGroupOrOthersIsIgnoredWithAWarning() throws IOException {
        for (String mode : List.of("rw-r-----", "rw----r--", "rw-----w-", "rw------x")) {
            Path f = pgpass("*:*:*:*:" + SECRET + "\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
            warnings.clear();
            assertNull(PgPassFile.lookup(f, "h", "5432", "d", "u", warnings::add), mode);
            assertEquals(1, warnings.size(), mode);
            assertTrue(warnings.get(0).contains("has group or world access"), warnings.get(0));
            assertTrue(warnings.get(0).contains("chmod 0600 " + f), warnings.get(0));
            assertFalse(warnings.get(0).contains(SECRET));
        }
        Path f = pgpass("*:*:*:*:" + SECRET + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--------"));
        warnings.clear();
        assertArrayEquals(SECRET.toCharArray(), PgPassFile.lookup(f, "h", "5432", "d", "u", warnings::add));
        assertTrue(warnings.isEmpty());
        // A directory is not a password file; a missing file is silently none.
        assertNull(PgPassFile.lookup(home, "h", "5432", "d", "u", warnings::add));
        assertTrue(warnings.get(0).contains("not a plain file"), warnings.get(0));
        warnings.clear();
        assertNull(PgPassFile.lookup(home.resolve("missing"), "h", "5432", "d", "u", warnings::add));
        assertTrue(warnings.isEmpty());
    }

    @Test
    void noPasswordInAnyNameOrMessage() {
        PgConnector c = of("postgresql://admin:" + SECRET + "@db:5432/users?password=" + SECRET);
        for (String s : List.of(c.displayName(), c.toString(), c.redactedAddress(), c.describe())) {
            assertFalse(s.contains(SECRET), s);
        }
        assertEquals("postgresql://admin:***@db:5432/users?password=***", c.redactedAddress());
        // Errors about an address with a password show it redacted.
        StoreException e = assertThrows(StoreException.class,
                () -> of("postgresql://admin:" + SECRET + "@db:5432/users?bogus=1"));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        e = assertThrows(StoreException.class, () -> of("postgresql://admin:" + SECRET + "@db:x/users"));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        e = assertThrows(StoreException.class, () -> of("postgresql://admin:" + SECRET + "@h1,h2/users"));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        // A password with an unencoded '/' or '@' (malformed for libpq) is still hidden.
        for (String pw : List.of("ab/" + SECRET, SECRET + "@x", "p:" + SECRET)) {
            e = assertThrows(StoreException.class, () -> of("postgresql://admin:" + pw + "@db:5432/users?bogus=1"));
            assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        }
        e = assertThrows(StoreException.class, () -> of("postgresql://admin:" + SECRET.substring(0, 4) + "/"
                + SECRET + "@db/users"));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET.substring(0, 4)), e.getMessage());
        assertEquals("postgresql://h/db@x", org.sasldb4j.store.StoreAddress.redacted("postgresql://h/db@x"));
    }

    @Test
    void theHandoffGivesACopyOnceParkedAndNothingAfterWithdrawal() {
        char[] pw = SECRET.toCharArray();
        String token = PasswordHandoff.park(pw);
        java.util.Properties p = new java.util.Properties();
        p.setProperty(PasswordHandoff.TOKEN_PROPERTY, token);
        char[] given = new PasswordHandoff(p).getPassword(null);
        assertArrayEquals(pw, given);
        java.util.Arrays.fill(given, '\0'); // as pgjdbc does
        assertArrayEquals(pw, new PasswordHandoff(p).getPassword(null), "the parked copy is not the one handed out");
        PasswordHandoff.withdraw(token);
        assertNull(new PasswordHandoff(p).getPassword(null));
        assertNull(new PasswordHandoff(new java.util.Properties()).getPassword(null));
    }

    private Path pgpass(String text) throws IOException {
        Path f = home.resolve("pgpass");
        Files.deleteIfExists(f);
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    private Path write(String name, String text) {
        try {
            Path f = home.resolve(name);
            Files.createDirectories(f.getParent());
            return Files.writeString(f, text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable x) {
        StoreException e = assertThrows(StoreException.class, x);
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
