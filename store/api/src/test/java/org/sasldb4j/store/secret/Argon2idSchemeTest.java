package org.sasldb4j.store.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class Argon2idSchemeTest {
    /** Cheap parameters for unit tests: 64 KiB, one pass. */
    static final Argon2Parameters CHEAP = new Argon2Parameters(64, 1, 1, 16, 32);

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void encodeVerifyRoundTripInDovecotForm() {
        SecretScheme s = SecretSchemes.argon2id(CHEAP);
        byte[] stored = s.encode("correct horse".toCharArray());
        String text = new String(stored, StandardCharsets.US_ASCII);
        assertTrue(text.matches("\\{ARGON2ID\\}\\$argon2id\\$v=19\\$m=64,t=1,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), text.substring(0, 40));
        assertEquals(Verification.MATCH, s.verify("correct horse".toCharArray(), stored));
        assertEquals(Verification.MISMATCH, s.verify("correct horsE".toCharArray(), stored));
        assertEquals(Verification.MISMATCH, s.verify(new char[0], stored));
        assertFalse(s.needsRehash(stored));
        assertEquals("sasldb4j.argon2id", s.property());
    }

    /** Reference implementation test vector (argon2 test.c, Argon2id v=0x13), with and without the Dovecot prefix. */
    @Test
    void referenceVector() {
        String phc = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        SecretScheme s = SecretSchemes.argon2id(CHEAP);
        // Matches; its 8-byte salt is shorter than the 16 bytes CHEAP (and V1) use: rehash.
        assertEquals(Verification.MATCH_NEEDS_REHASH, s.verify("password".toCharArray(), ascii(phc)));
        assertEquals(Verification.MATCH_NEEDS_REHASH, s.verify("password".toCharArray(), ascii("{ARGON2ID}" + phc)));
        SecretScheme shortSalt = SecretSchemes.argon2id(new Argon2Parameters(64, 1, 1, 8, 32));
        assertEquals(Verification.MATCH, shortSalt.verify("password".toCharArray(), ascii(phc)));
        assertEquals(Verification.MISMATCH, s.verify("passwort".toCharArray(), ascii(phc)));
    }

    @Test
    void parametersComeFromTheStringAndWeakerOnesNeedRehash() {
        byte[] cheap = SecretSchemes.argon2id(CHEAP).encode("pw".toCharArray());
        SecretScheme stronger = SecretSchemes.argon2id(new Argon2Parameters(128, 2, 1, 16, 32));
        assertEquals(Verification.MATCH_NEEDS_REHASH, stronger.verify("pw".toCharArray(), cheap));
        assertTrue(stronger.needsRehash(cheap));
        assertEquals(Verification.MISMATCH, stronger.verify("px".toCharArray(), cheap));
        // Default scheme (V1 = 19 MiB, t=2) still verifies the cheap hash, and wants a rehash.
        assertTrue(SecretSchemes.argon2id().needsRehash(cheap));
        // Different parallelism is not "weaker".
        byte[] p2 = SecretSchemes.argon2id(new Argon2Parameters(64, 1, 2, 16, 32)).encode("pw".toCharArray());
        assertEquals(Verification.MATCH, SecretSchemes.argon2id(CHEAP).verify("pw".toCharArray(), p2));
    }

    @Test
    void oldVersionNeedsRehash() {
        // Same parameters as the reference vector but v=16: a different tag, and a rehash if it matched.
        String v10 = "$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assertTrue(SecretSchemes.argon2id(CHEAP).needsRehash(ascii(v10)));
        assertEquals(Verification.MISMATCH, SecretSchemes.argon2id(CHEAP).verify("pw".toCharArray(), ascii(v10)));
    }

    @Test
    void boundsRefuseHostileParameters() {
        String tooMuchMemory = "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        var e = assertThrows(MalformedSecretException.class,
                () -> SecretSchemes.argon2id(CHEAP).verify("pw".toCharArray(), ascii(tooMuchMemory)));
        assertFalse(e.getMessage().contains("c29tZXNhbHQ"));
        assertThrows(MalformedSecretException.class, () -> SecretSchemes.argon2id(CHEAP)
                .verify("pw".toCharArray(), ascii("$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")));
        assertThrows(MalformedSecretException.class, () -> SecretSchemes.argon2id(CHEAP)
                .verify("pw".toCharArray(), ascii("{ARGON2I}$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")));
        assertThrows(MalformedSecretException.class, () -> SecretSchemes.argon2id(CHEAP)
                .verify("pw".toCharArray(), ascii("$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$AAAA")));
        assertThrows(IllegalArgumentException.class, () -> new Argon2Parameters(4, 1, 1, 16, 32));
    }

    @Test
    void v1IsTheDocumentedDefault() {
        assertEquals(new Argon2Parameters(19456, 2, 1, 16, 32), Argon2Parameters.V1);
        assertEquals(Argon2Parameters.V1, Argon2Parameters.CURRENT);
    }

    @Test
    @Tag("slow")
    void realDefaultParameters() {
        SecretScheme s = SecretSchemes.argon2id();
        byte[] stored = s.encode("correct horse battery staple".toCharArray());
        assertTrue(new String(stored, StandardCharsets.US_ASCII).startsWith("{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$"));
        assertEquals(Verification.MATCH, s.verify("correct horse battery staple".toCharArray(), stored));
        assertEquals(Verification.MISMATCH, s.verify("correct horse battery stapler".toCharArray(), stored));
    }
}
