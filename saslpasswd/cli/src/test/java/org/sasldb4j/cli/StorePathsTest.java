package org.sasldb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
