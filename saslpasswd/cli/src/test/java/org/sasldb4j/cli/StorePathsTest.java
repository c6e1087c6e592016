package org.sasldb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorePathsTest {
    @TempDir
    Path dir;

    private CliEnvironment env(String dbname) {
        CliEnvironment.Builder b = CliEnvironment.builder().env(SaslConfig.CONF_PATH_ENV, dir.toString());
        if (dbname != null) {
            b.env(StorePaths.DBNAME_ENV, dbname);
        }
        return b.build();
    }

    @Test
    void defaultIsEtcSasldb2() {
        assertEquals(Path.of("/etc/sasldb2"), StorePaths.resolve(null, "saslpasswd", env(null)).path());
    }

    @Test
    void saslDbnameOverridesTheDefaultAndDashFOverridesBoth() {
        assertEquals(Path.of("/x/env"), StorePaths.resolve(null, "saslpasswd", env("/x/env")).path());
        assertEquals(Path.of("/x/f"), StorePaths.resolve("/x/f", "saslpasswd", env("/x/env")).path());
        assertEquals(Path.of("/x/env"), StorePaths.resolve("", "saslpasswd", env("/x/env")).path());
    }

    @Test
    void configFileOfTheAppnameLikeLibsasl() throws Exception {
        Files.writeString(dir.resolve("saslpasswd.conf"), "# comment\n  SASLDB_PATH:   /x/conf  \nsasldb_path: /x/second\n");
        Files.writeString(dir.resolve("other.conf"), "sasldb_path:\n");
        assertEquals(Path.of("/x/conf"), StorePaths.resolve(null, "saslpasswd", env("/x/env")).path());
        assertEquals(Path.of("/x/f"), StorePaths.resolve("/x/f", "saslpasswd", env("/x/env")).path());
        // an empty value counts as unset
        assertEquals(Path.of("/x/env"), StorePaths.resolve(null, "other", env("/x/env")).path());
        assertEquals(Path.of("/x/env"), StorePaths.resolve(null, "missing", env("/x/env")).path());
    }

    @Test
    void aServerAddressIsKeptAsWrittenAndNeverMadeAPath() throws Exception {
        StorePaths.Resolved r = StorePaths.resolve("postgresql://admin@db.example:5432/mail", "saslpasswd", env("/x/env"));
        assertEquals("postgresql://admin@db.example:5432/mail", r.name());
        assertEquals(StorePaths.COMMAND_LINE, r.origin());
        assertTrue(r.isServer());
        assertThrows(IllegalStateException.class, r::path);
        // from SASL_DBNAME and from the config file too; the default stays the file
        assertEquals("service=mail", StorePaths.resolve(null, "saslpasswd", env("service=mail")).name());
        Files.writeString(dir.resolve("saslpasswd.conf"), "sasldb_path: postgres://db/mail\n");
        assertTrue(StorePaths.resolve(null, "saslpasswd", env(null)).isServer());
        assertFalse(StorePaths.resolve(null, "other", env(null)).isServer());
        assertEquals(Path.of("/etc/sasldb2"), StorePaths.resolve(null, "other", env(null)).path());
    }

    @Test
    void messagesAndToStringNeverShowAPassword() {
        StorePaths.Resolved r = StorePaths.resolve("postgresql://admin:s3cret@db/mail", "saslpasswd", env(null));
        assertEquals("postgresql://admin:***@db/mail", r.display());
        assertFalse(r.toString().contains("s3cret"), r.toString());
        assertEquals("/x/f", StorePaths.resolve("/x/f", "saslpasswd", env(null)).display());
    }

    @Test
    void aPasswordInAnAddressOnTheCommandLineIsRefusedWithWhereToPutIt() {
        for (String bad : new String[] {"postgresql://admin:s3cret@db/mail", "postgres://db/mail?password=s3cret",
                "postgresql://db/mail?sslmode=require&password=s3cret"}) {
            String m = StorePaths.passwordOnCommandLine(bad);
            assertNotNull(m, bad);
            assertFalse(m.contains("s3cret"), m);
            assertFalse(m.contains("\n"), m);
            assertTrue(m.contains("~/.pgpass") && m.contains("PGPASSFILE") && m.contains("PGPASSWORD"), m);
        }
        assertNull(StorePaths.passwordOnCommandLine("postgresql://admin@db/mail?passfile=/root/pgpass"));
        assertNull(StorePaths.passwordOnCommandLine("service=mail"));
        // a file whose name merely contains a colon is a file
        assertNull(StorePaths.passwordOnCommandLine("./postgresql://a:b@c/d"));
        assertNull(StorePaths.passwordOnCommandLine(null));
    }

    @Test
    void defaultRealm() {
        CliEnvironment e = CliEnvironment.builder().hostname("MX.Example.ORG").build();
        assertEquals(new DefaultRealm.Choice("mx.example.org", true, "host name"), DefaultRealm.choose(null, null, e));
        assertEquals("mx.example.org", DefaultRealm.choose("", null, e).realm());
        assertEquals("Ex.COM", DefaultRealm.choose("Ex.COM", "", e).realm());
        assertEquals("", DefaultRealm.choose("", "", e).realm());
        CliEnvironment withEnv = CliEnvironment.builder().hostname("h").env(DefaultRealm.ENV, "r.example").build();
        assertEquals("r.example", DefaultRealm.choose(null, null, withEnv).realm());
    }
}
