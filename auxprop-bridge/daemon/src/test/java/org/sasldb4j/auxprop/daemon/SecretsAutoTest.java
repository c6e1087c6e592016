package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.Argon2Parameters;
import org.sasldb4j.store.secret.ScramSaltKey;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretSet;

/** {@code --secrets auto}: counted when the store opens and again at each reload, and logged. */
class SecretsAutoTest {
    @TempDir
    Path dir;

    @Test
    void theStandInFollowsTheStoreAtStartAndAtReload() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path db = dir.resolve("sasldb");
        try (CredentialStore s = CredentialStore.open(db, StoreOptions.create())) {
            s.update(w -> {
                for (int i = 0; i < 3; i++) {
                    w.put(UserId.of("u" + i, "example.org"), SecretProperties.USER_PASSWORD,
                            ("pw" + i).getBytes(StandardCharsets.UTF_8));
                }
            });
        }
        assertEquals("auto", new AuthdCommand(null).secrets, "the default");
        Supplier<AuthBackend> backends = AuthdCommand.backends("auto", db,
                BridgeConfig.of("example.org").withPolicy(AuthdCommand.policyOf("auto")), "example.org",
                ScramSaltKey.random());
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        AuthLog.LOGGER.addHandler(h);
        try {
            try (AuthBackend b = backends.get()) {
                assertTrue(lines.contains("stand-in for unknown users: plaintext, like 3 of 3 users"), lines.toString());
            }
            // The users are re-hashed (saslpasswd -n); a reload (SIGHUP) counts again.
            SecretSet hashed = SecretSet.HASHED.withArgon2(new Argon2Parameters(64, 1, 1, 16, 32));
            try (CredentialStore s = CredentialStore.open(db, StoreOptions.create())) {
                s.update(w -> {
                    for (int i = 0; i < 3; i++) {
                        UserId u = UserId.of("u" + i, "example.org");
                        w.delete(u, SecretProperties.USER_PASSWORD);
                        hashed.encode(u, ("pw" + i).toCharArray()).forEach(w::put);
                    }
                });
            }
            lines.clear();
            try (AuthBackend b = backends.get()) {
                assertTrue(lines.contains("stand-in for unknown users: hashed (argon2id,scram-sha-1,scram-sha-256),"
                        + " like 3 of 3 users"), lines.toString());
            }
        } finally {
            AuthLog.LOGGER.removeHandler(h);
        }
    }

    @Test
    void anExplicitSettingIsKept() {
        assertEquals(SecretSet.HASHED, AuthdCommand.policyOf("hashed"));
        assertEquals(SecretSet.PLAINTEXT, AuthdCommand.policyOf("plaintext"));
        assertEquals("--secrets must be auto, hashed or plaintext",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> AuthdCommand.policyOf("sometimes")).getMessage());
    }
}
