package org.sasldb4j.store.secret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.UserId;



class MechanismSecretsTest {
    static final UserId U = UserId.of("user", "vm");
    private final MechanismSecrets secrets = new MechanismSecrets();

    private static Entry e(String property, String value) {
        return Entry.of(U, property, value.getBytes(StandardCharsets.UTF_8));
    }

    private static Entry disabled() {
        return e(SecretProperties.DISABLED, "disabled");
    }

    @Test
    void scramFromPlaintextWithStableSalt() {
        List<Entry> r = List.of(e("userPassword", "pencil"), e("authPassword", ScramKeysTest.CYRUS_VECTOR));
        ScramKeys a = secrets.scramKeys(U, r, ScramVariant.SHA_256).orElseThrow();
        ScramKeys b = secrets.scramKeys(U, r, ScramVariant.SHA_256).orElseThrow();
        assertArrayEquals(a.salt(), b.salt());
        assertEquals(16, a.salt().length);
        assertEquals(4096, a.iterations());
        ScramKeys expected = ScramKeys.derive(ScramVariant.SHA_256, "pencil".toCharArray(), a.salt(), 4096);
        assertArrayEquals(expected.storedKey(), a.storedKey());
        assertArrayEquals(expected.serverKey(), a.serverKey());
        // The decoy for an unknown user has the same kind of salt; another user another salt.
        assertArrayEquals(a.salt(), secrets.decoy(U, ScramVariant.SHA_256).salt());
        assertFalse(Arrays.equals(a.salt(), secrets.decoy(UserId.of("other", "vm"), ScramVariant.SHA_256).salt()));
        // Like two stored values, the variants' salts differ.
        assertFalse(Arrays.equals(a.salt(), secrets.scramKeys(U, r, ScramVariant.SHA_1).orElseThrow().salt()));
    }

    @Test
    void scramFromStoredValues() {
        List<Entry> cyrus = List.of(e("authPassword", ScramKeysTest.CYRUS_VECTOR));
        ScramKeys k = secrets.scramKeys(U, cyrus, ScramVariant.SHA_1).orElseThrow();
        assertEquals(ScramKeysTest.CYRUS_VECTOR, k.toAuthPassword());
        assertTrue(secrets.scramKeys(U, cyrus, ScramVariant.SHA_256).isEmpty(), "SHA-1 keys cannot serve SHA-256");

        List<Entry> hashed = SecretSet.HASHED.withArgon2(Argon2idSchemeTest.CHEAP).encode(U, "pencil".toCharArray());
        ScramKeys k256 = secrets.scramKeys(U, hashed, ScramVariant.SHA_256).orElseThrow();
        assertEquals(Verification.MATCH, SecretSchemes.scramSha256().verify("pencil".toCharArray(),
                k256.toDovecot().getBytes(StandardCharsets.US_ASCII)));
        assertTrue(secrets.scramKeys(U, hashed, ScramVariant.SHA_1).isPresent());
        assertTrue(secrets.scramKeys(U, List.of(e("authPassword", "SCRAM-SHA-1$x")), ScramVariant.SHA_1).isEmpty());
        assertTrue(secrets.scramKeys(U, List.of(e("userPassword", "")), ScramVariant.SHA_1).isEmpty());
    }

    @Test
    void scramSha256PrefersOwnPropertyOverAuthPassword() {
        ScramKeys own = ScramKeys.derive(ScramVariant.SHA_256, "own".toCharArray(), new byte[16], 4096);
        ScramKeys other = ScramKeys.derive(ScramVariant.SHA_256, "other".toCharArray(), new byte[16], 4096);
        List<Entry> r = List.of(e("authPassword", other.toAuthPassword()), e("sasldb4j.scram-sha-256", own.toDovecot()));
        assertArrayEquals(own.storedKey(), secrets.scramKeys(U, r, ScramVariant.SHA_256).orElseThrow().storedKey());
        // An empty userPassword still wins (Cyrus "empty secret"): nothing serves.
        List<Entry> empty = new ArrayList<>(r);
        empty.add(e("userPassword", ""));
        assertTrue(secrets.scramKeys(U, empty, ScramVariant.SHA_256).isEmpty());
        assertTrue(MechanismSecrets.cramMd5(List.of(e("userPassword", ""),
                e("sasldb4j.cram-md5", CramMd5Context.fromPassword("x".toCharArray()).toDovecot()))).isEmpty());
    }

    @Test
    void legacyNonUtf8PlaintextIsUsedByteForByte() {
        byte[] latin1 = {'c', 'a', 'f', (byte) 0xe9};
        List<Entry> r = List.of(Entry.of(U, "userPassword", latin1));
        ScramKeys k = secrets.scramKeys(U, r, ScramVariant.SHA_1).orElseThrow();
        ScramKeys raw = ScramKeys.deriveFromBytes(ScramVariant.SHA_1, latin1, k.salt(), 4096);
        assertArrayEquals(raw.storedKey(), k.storedKey());
        CramMd5Context c = MechanismSecrets.cramMd5(r).orElseThrow();
        assertArrayEquals(CramMd5Context.fromKey(latin1).hmac(CramMd5ContextTest.RFC2195_CHALLENGE),
                c.hmac(CramMd5ContextTest.RFC2195_CHALLENGE));
        // DIGEST-MD5: one char per byte, which the JDK encodes back to the same bytes (ISO 8859-1).
        char[] d = MechanismSecrets.digestMd5Password(r).orElseThrow();
        assertArrayEquals(latin1, new String(d).getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void plaintextCountsUpToItsFirstNul() {
        List<Entry> r = List.of(Entry.of(U, "userPassword", "pencil\0junk".getBytes(StandardCharsets.UTF_8)));
        ScramKeys k = secrets.scramKeys(U, r, ScramVariant.SHA_1).orElseThrow();
        ScramKeys expected = ScramKeys.derive(ScramVariant.SHA_1, "pencil".toCharArray(), k.salt(), 4096);
        assertArrayEquals(expected.storedKey(), k.storedKey());
        assertEquals("pencil", new String(MechanismSecrets.digestMd5Password(r).orElseThrow()));
    }

    @Test
    void cramMd5FromEachSource() {
        String digest = "b913a602c7eda7a495b4e6e7334d3890";
        char[] pw = "tanstaaftanstaaf".toCharArray();
        List<List<Entry>> sources = List.of(
                List.of(e("userPassword", "tanstaaftanstaaf")),
                List.of(e("sasldb4j.cram-md5", CramMd5Context.fromPassword(pw).toDovecot())),
                List.of(Entry.of(U, "cmusaslsecretCRAM-MD5", CramMd5Context.fromPassword(pw).toCyrusLegacy())),
                List.of(e("sasldb4j.cram-md5", "{CRAM-MD5}bad"),
                        Entry.of(U, "cmusaslsecretCRAM-MD5", CramMd5Context.fromPassword(pw).toCyrusLegacy())));
        for (List<Entry> r : sources) {
            CramMd5Context c = MechanismSecrets.cramMd5(r).orElseThrow();
            assertEquals(digest, HexFormat.of().formatHex(c.hmac(CramMd5ContextTest.RFC2195_CHALLENGE)), r.toString());
        }
        assertTrue(MechanismSecrets.cramMd5(List.of(e("sasldb4j.argon2id", "x"))).isEmpty());
        assertTrue(MechanismSecrets.cramMd5(List.of(e("userPassword", "tanstaaftanstaaf"), disabled())).isEmpty());
        assertTrue(MechanismSecrets.digestMd5Password(List.of(e("userPassword", "p"), disabled())).isEmpty());
    }

    /** Unknown, disabled, plaintext and hashed users: the same key derivation work, counted. */
    @Test
    @Tag("attack")
    void everyUserCostsOneDerivationBeforeTheProof() {
        List<Entry> hashed = SecretSet.HASHED.withArgon2(Argon2idSchemeTest.CHEAP).encode(U, "pencil".toCharArray());
        List<Entry> hashedDisabled = new ArrayList<>(hashed);
        hashedDisabled.add(disabled());
        List<List<Entry>> kinds = List.of(List.of(), List.of(e("userPassword", "pencil")),
                List.of(e("userPassword", "pencil"), disabled()), hashed, hashedDisabled,
                List.of(e("sasldb4j.argon2id", "x")), List.of(e("userPassword", "")));
        for (ScramVariant v : List.of(ScramVariant.SHA_1, ScramVariant.SHA_256)) {
            for (List<Entry> r : kinds) {
                long before = secrets.hiIterations();
                MechanismSecrets.Scram s = secrets.scram(U, r, v);
                assertEquals(4096, secrets.hiIterations() - before, v + " " + r);
                assertEquals(4096, s.keys().iterations());
                s.wipe();
            }
            // An unknown user with a stand-in of either policy: the same work, its own salt, unusable.
            for (List<Entry> standIn : List.of(List.of(e("userPassword", "dummy")), hashed)) {
                long before = secrets.hiIterations();
                MechanismSecrets.Scram s = secrets.scram(U, List.of(), standIn, v);
                assertEquals(4096, secrets.hiIterations() - before);
                assertFalse(s.usable());
                assertArrayEquals(secrets.decoy(U, v).salt(), s.keys().salt());
            }
        }
    }

    @Test
    @Tag("attack")
    void saltsOfUsersWithoutStoredKeysSurviveARestart(@TempDir Path dir) throws Exception {
        Path keyFile = dir.resolve("salt-key");
        ScramSaltKey created = ScramSaltKey.loadOrCreate(keyFile);
        assertTrue(created.persistent());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        List<List<Entry>> kinds = List.of(List.of(), List.of(e("userPassword", "pencil")),
                List.of(e("userPassword", "pencil"), disabled()));
        for (List<Entry> r : kinds) {
            // Two "processes": the first made the file, the second reads it.
            MechanismSecrets first = new MechanismSecrets(created, 4096);
            MechanismSecrets second = new MechanismSecrets(ScramSaltKey.loadOrCreate(keyFile), 4096);
            assertArrayEquals(first.scram(U, r, ScramVariant.SHA_256).keys().salt(),
                    second.scram(U, r, ScramVariant.SHA_256).keys().salt(), r.toString());
            // Without the file they would change, which is what told them apart.
            assertFalse(Arrays.equals(first.scram(U, r, ScramVariant.SHA_256).keys().salt(),
                    new MechanismSecrets().scram(U, r, ScramVariant.SHA_256).keys().salt()));
        }
    }

    @Test
    @Tag("attack")
    void unsafeSaltKeyFilesAreRefused(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("target");
        Files.write(target, new byte[32]);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, target);
        assertThrows(StoreException.class, () -> ScramSaltKey.loadOrCreate(link));
        Path wide = dir.resolve("wide");
        Files.write(wide, new byte[32]);
        Files.setPosixFilePermissions(wide, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThrows(StoreException.class, () -> ScramSaltKey.loadOrCreate(wide));
        Path shortKey = dir.resolve("short");
        Files.write(shortKey, new byte[5]);
        Files.setPosixFilePermissions(shortKey, PosixFilePermissions.fromString("rw-------"));
        assertThrows(StoreException.class, () -> ScramSaltKey.loadOrCreate(shortKey));
        // A dangling link planted where the key will be made is not followed.
        Path dangling = dir.resolve("dangling");
        Files.createSymbolicLink(dangling, dir.resolve("victim"));
        assertThrows(StoreException.class, () -> ScramSaltKey.loadOrCreate(dangling));
        assertFalse(Files.exists(dir.resolve("victim"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }
}
