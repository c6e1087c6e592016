package org.sasldb4j.auxprop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.UnsafePermissionsException;
import org.sasldb4j.store.secret.PasswordVerifier.Outcome;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretSchemes;

/** Lookup semantics mirroring the observations of docs/reference/cyrus-sasldb.md §2.4 and the rules of §11. */
class AuxpropBridgeTest {
    @TempDir
    Path dir;
    TestStore store;

    @BeforeEach
    void users() {
        store = TestStore.in(dir)
                .put("ivy", "vm", "userPassword", "secret")
                .put("frank", "", "userPassword", "frankpw")
                .put("alice", "example.org", "userPassword", "alicepw")
                .put("olga", "vm", "cmusaslsecretOTP", "md5\t0499\tvm4240\t9c4009f9cb6aa7e0\t00000000000000000000")
                .put("nobody", "vm", "note", "not a secret");
    }

    private static char[] pw(String s) {
        return s.toCharArray();
    }

    /** Issue: a plaintext user's SCRAM keys cost a PBKDF2, an unknown user's decoys nothing. */
    @Test
    @org.junit.jupiter.api.Tag("attack")
    void scramCostsOneDerivationForKnownUnknownAndDisabledUsers() {
        store.put("dis", "vm", "userPassword", "dispw").put("dis", "vm", SecretProperties.DISABLED, "disabled");
        try (AuxpropBridge b = store.bridge()) {
            for (String name : List.of("ivy", "ghost", "dis", "olga", "nobody")) {
                for (var v : List.of(org.sasldb4j.store.secret.ScramVariant.SHA_1,
                        org.sasldb4j.store.secret.ScramVariant.SHA_256)) {
                    CanonicalUser u = b.canonicalize(name).orElseThrow();
                    long before = b.scramWork();
                    var answer = b.scram(u, v);
                    assertEquals(4096, b.scramWork() - before, name + " " + v);
                    assertEquals(name.equals("ivy"), answer.usable(), name);
                    answer.wipe();
                }
            }
        }
    }

    /**
     * An unknown user's lookups run on fresh copies of the stand-in, read from buffers it shares
     * across threads (docs/benchmarks.md, "User existence and timing"): a read that consumed them,
     * or a wipe that reached them, would break the next unknown user's lookup.
     */
    @Test
    @org.junit.jupiter.api.Tag("attack")
    void unknownUsersAreAnsweredFromTheStandInEveryTimeFromManyThreads() throws Exception {
        try (AuxpropBridge b = store.bridge(BridgeConfig.of("vm").withPolicy(
                org.sasldb4j.store.secret.SecretSet.PLAINTEXT))) {
            CanonicalUser ghost = b.canonicalize("ghost").orElseThrow();
            CanonicalUser ivy = b.canonicalize("ivy").orElseThrow();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<?>> runs = new java.util.ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    runs.add(pool.submit(() -> {
                        for (int i = 0; i < 200; i++) {
                            assertEquals(Outcome.NO_SUCH_USER, b.verify(ghost, "secret".getBytes(StandardCharsets.UTF_8)));
                            assertEquals(Outcome.NO_SUCH_USER, b.verify("ghost", null, pw("secret")));
                            assertEquals(java.util.Optional.of(LoginDiagnosis.Reason.UNKNOWN_USER),
                                    b.whyNot(ghost, "PLAIN"));
                            assertTrue(b.digestMd5Password(ghost).isEmpty());
                            assertEquals(Outcome.MATCH, b.verify(ivy, "secret".getBytes(StandardCharsets.UTF_8)));
                            assertEquals(java.util.Optional.empty(), b.whyNot(ivy, "PLAIN"));
                        }
                        return null;
                    }));
                }
                for (var r : runs) {
                    r.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void checkpassObservationsOfSection2_4() {
        try (AuxpropBridge b = store.bridge()) {
            assertEquals(Outcome.MATCH, b.verify("ivy", null, pw("secret")));
            assertEquals(Outcome.MATCH, b.verify("  ivy  ", null, pw("secret")));
            assertEquals(Outcome.MATCH, b.verify("ivy@vm", null, pw("secret")));
            assertEquals(Outcome.MISMATCH, b.verify("ivy", null, pw("Secret")));
            assertEquals(Outcome.NO_SUCH_USER, b.verify("ALICE@example.org", null, pw("alicepw")));
            assertEquals(Outcome.NO_SUCH_USER, b.verify("alice@EXAMPLE.ORG", null, pw("alicepw")));
            assertEquals(Outcome.MATCH, b.verify("alice@example.org", null, pw("alicepw")));
            assertEquals(Outcome.NO_SUCH_USER, b.verify("   ", null, pw("secret")));
            // user_realm "" finds frank@ (the empty realm)
            assertEquals(Outcome.MATCH, b.verify("frank", "", pw("frankpw")));
            assertEquals(Outcome.NO_SUCH_USER, b.verify("frank", null, pw("frankpw")));
        }
        // serverFQDN "VM" finds realm vm; another FQDN does not
        try (AuxpropBridge b = store.bridge(BridgeConfig.of("VM").withPolicy(TestStore.POLICY))) {
            assertEquals(Outcome.MATCH, b.verify("ivy", null, pw("secret")));
        }
        try (AuxpropBridge b = store.bridge(BridgeConfig.of("other.example").withPolicy(TestStore.POLICY))) {
            assertEquals(Outcome.NO_SUCH_USER, b.verify("ivy", null, pw("secret")));
        }
        try (AuxpropBridge b = store.bridge(BridgeConfig.of("vm").withUserRealm("").withPolicy(TestStore.POLICY))) {
            assertEquals(Outcome.MATCH, b.verify("frank", null, pw("frankpw")));
        }
    }

    @Test
    void authidLookupFetchesStarredNamesUnderTheRequestedName() {
        try (AuxpropBridge b = store.bridge();
                AuxpropLookup l = b.lookup("ivy", null, false, List.of("*userPassword", "*cmusaslsecretPLAIN", "userPassword"))) {
            assertEquals(AuxpropLookup.Status.OK, l.status());
            assertEquals(List.of("*userPassword"), List.copyOf(l.names()));
            assertArrayEquals("secret".getBytes(StandardCharsets.UTF_8), l.value("*userPassword").orElseThrow());
            assertFalse(l.toString().contains("secret"));
        }
    }

    @Test
    void authzidLookupFetchesUnstarredNamesAndNeverSaysNoUser() {
        try (AuxpropBridge b = store.bridge()) {
            try (AuxpropLookup l = b.lookup("nobody", null, true, List.of("note", "*userPassword"))) {
                assertEquals(AuxpropLookup.Status.OK, l.status());
                assertEquals(List.of("note"), List.copyOf(l.names()));
            }
            try (AuxpropLookup l = b.lookup("ghost", null, true, List.of("note"))) {
                assertEquals(AuxpropLookup.Status.OK, l.status());
                assertTrue(l.names().isEmpty());
            }
        }
    }

    @Test
    void userExistsIffUserPasswordOrARequestedAuthidProperty() {
        try (AuxpropBridge b = store.bridge()) {
            // ivy lacks OTP but has userPassword: the plugin's probe says OK
            assertEquals(AuxpropLookup.Status.OK, b.lookup("ivy", null, false, List.of("*cmusaslsecretOTP")).status());
            // olga has only OTP: found when asked for it, not when asked for authPassword
            assertEquals(AuxpropLookup.Status.OK, b.lookup("olga", null, false, List.of("*cmusaslsecretOTP")).status());
            assertEquals(AuxpropLookup.Status.NOUSER, b.lookup("olga", null, false, List.of("*authPassword")).status());
            // nobody has a record, but no secret asked for: NOUSER
            assertEquals(AuxpropLookup.Status.NOUSER, b.lookup("nobody", null, false, List.of("*userPassword")).status());
            assertEquals(AuxpropLookup.Status.NOUSER, b.lookup("ghost", null, false, List.of("*userPassword")).status());
            // nothing requested: OK
            assertEquals(AuxpropLookup.Status.OK, b.lookup("ghost", null, false, List.of()).status());
            assertEquals(AuxpropLookup.Status.NOUSER, b.lookup("  ", null, false, List.of("*userPassword")).status());
        }
    }

    @Test
    void plaintextComparesUpToTheFirstNulAsStrcmp() {
        store.put("nul", "vm", "userPassword", new byte[] {'a', 'b', 0, 'c'});
        try (AuxpropBridge b = store.bridge()) {
            assertEquals(Outcome.MATCH, b.verify("nul", null, pw("ab")));
            assertEquals(Outcome.MISMATCH, b.verify("nul", null, pw("abc")));
            assertEquals(Outcome.MISMATCH, b.verify("nul", null, "ab\0c".getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void legacyCyrusPlainMatchesAndNeedsRehash() throws Exception {
        store.put("leg", "vm", "cmusaslsecretPLAIN", TestStore.cyrusPlain("oldpw"));
        try (AuxpropBridge b = store.bridge()) {
            assertEquals(Outcome.MATCH_NEEDS_REHASH, b.verify("leg", null, pw("oldpw")));
            assertEquals(Outcome.MISMATCH, b.verify("leg", null, pw("oldpx")));
        }
    }

    @Test
    void argon2idCurrentMatchesWeakerNeedsRehash() {
        store.put("h", "vm", SecretProperties.ARGON2ID, SecretSchemes.argon2id(TestStore.CHEAP).encode(pw("hashed")))
                .put("w", "vm", SecretProperties.ARGON2ID, SecretSchemes.argon2id(TestStore.CHEAPER).encode(pw("hashed")));
        try (AuxpropBridge b = store.bridge()) {
            assertEquals(Outcome.MATCH, b.verify("h", null, pw("hashed")));
            assertEquals(Outcome.MISMATCH, b.verify("h", null, pw("hashes")));
            assertEquals(Outcome.MATCH_NEEDS_REHASH, b.verify("w", null, pw("hashed")));
        }
    }

    @Test
    void cyrusAuthPasswordVectorVerifies() {
        // docs/reference/cyrus-sasldb.md §1.5, written by the real saslpasswd2
        store.put("scram", "vm", "authPassword",
                "SCRAM-SHA-1$4096:dAdXgoGlDLFI5X8ySvaW+w==$ALS+RPXuDo2J5IFn0ZWhpCD3ZGY=:qY6aGXKzJJuEJ4c/GG3bQ33duLs=");
        try (AuxpropBridge b = store.bridge()) {
            assertEquals(Outcome.MATCH, b.verify("scram", null, pw("pencil-and-otp-phrase")));
            assertEquals(Outcome.MISMATCH, b.verify("scram", null, pw("pencil")));
        }
    }

    @Test
    void disabledAccountIsDisabledOnlyWithTheRightPasswordAndServesNoSecret() {
        store.put("dis", "vm", "userPassword", "right").put("dis", "vm", SecretProperties.DISABLED, "disabled");
        try (AuxpropBridge b = store.bridge()) {
            assertEquals(Outcome.DISABLED, b.verify("dis", null, pw("right")));
            assertEquals(Outcome.MISMATCH, b.verify("dis", null, pw("wrong")));
            CanonicalUser u = b.canonicalize("dis").orElseThrow();
            assertTrue(b.isDisabled(u));
            assertTrue(b.plaintext(u).isEmpty());
            assertTrue(b.cramMd5Context(u).isEmpty());
            assertTrue(b.scramKeys(u, org.sasldb4j.store.secret.ScramVariant.SHA_256).isEmpty());
        }
    }

    @Test
    void mechanismSecretsComeFromPlaintextOrStoredForms() {
        store.put("c", "vm", SecretProperties.CRAM_MD5,
                        org.sasldb4j.store.secret.CramMd5Context.fromPassword(pw("tanstaaftanstaaf")).toDovecot())
                .put("empty", "vm", "userPassword", new byte[0]);
        try (AuxpropBridge b = store.bridge()) {
            CanonicalUser ivy = b.canonicalize("ivy").orElseThrow();
            assertArrayEquals("secret".getBytes(StandardCharsets.UTF_8), b.plaintext(ivy).orElseThrow());
            assertTrue(b.cramMd5Context(ivy).isPresent());
            var k = b.scramKeys(ivy, org.sasldb4j.store.secret.ScramVariant.SHA_1).orElseThrow();
            var again = b.scramKeys(ivy, org.sasldb4j.store.secret.ScramVariant.SHA_1).orElseThrow();
            assertArrayEquals(k.salt(), again.salt(), "salt stable within the process");
            assertEquals(4096, k.iterations());
            CanonicalUser c = b.canonicalize("c").orElseThrow();
            assertTrue(b.plaintext(c).isEmpty());
            assertTrue(b.cramMd5Context(c).isPresent());
            CanonicalUser empty = b.canonicalize("empty").orElseThrow();
            assertTrue(b.plaintext(empty).isEmpty(), "empty secret");
            assertTrue(b.cramMd5Context(empty).isEmpty());
        }
    }

    @Test
    void keepsTheStoreOpenInsteadOfReopening() throws Exception {
        try (AuxpropBridge b = store.bridge()) {
            assertEquals(Outcome.MATCH, b.verify("ivy", null, pw("secret")));
            // Unlinking the file does not disturb an open LMDB environment; a bridge that
            // reopened per lookup would now fail.
            Files.delete(store.path());
            assertEquals(Outcome.MATCH, b.verify("ivy", null, pw("secret")));
        }
    }

    @Test
    void refusesAWorldReadableStore() throws Exception {
        Files.setPosixFilePermissions(store.path(), PosixFilePermissions.fromString("rw-r--r--"));
        assertThrows(UnsafePermissionsException.class, () -> store.bridge());
    }

    @Test
    void authorizationDefaultsToTheSameUser() {
        try (AuxpropBridge b = store.bridge()) {
            CanonicalUser ivy = b.canonicalize("ivy").orElseThrow();
            assertEquals(ivy, b.authorize(ivy, "", null).orElseThrow());
            assertEquals(ivy, b.authorize(ivy, " ivy@vm ", null).orElseThrow());
            assertTrue(b.authorize(ivy, "alice@example.org", null).isEmpty());
        }
        try (AuxpropBridge b = store.bridge(BridgeConfig.of("vm").withPolicy(TestStore.POLICY)
                .withAuthorization((who, as) -> who.authid().equals("ivy")))) {
            CanonicalUser ivy = b.canonicalize("ivy").orElseThrow();
            assertEquals("alice@example.org", b.authorize(ivy, "alice@example.org", null).orElseThrow().toString());
        }
    }
}
