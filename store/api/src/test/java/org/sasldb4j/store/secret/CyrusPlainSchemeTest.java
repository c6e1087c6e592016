package org.sasldb4j.store.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

/** A hand-built cmusaslsecretPLAIN, laid out as lib/checkpw.c:_sasl_make_plain_secret does. */
class CyrusPlainSchemeTest {
    static byte[] handBuilt(String password) throws Exception {
        byte[] salt = new byte[16];
        for (int i = 0; i < 16; i++) {
            salt[i] = (byte) (0xA0 + i);
        }
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        md5.update(salt);
        md5.update("sasldb".getBytes(StandardCharsets.US_ASCII));
        md5.update(password.getBytes(StandardCharsets.UTF_8));
        byte[] digest = md5.digest();
        byte[] value = new byte[33];
        System.arraycopy(salt, 0, value, 0, 16);
        value[16] = 0;
        System.arraycopy(digest, 0, value, 17, 16);
        return value;
    }

    @Test
    void verifiesAsCyrus() throws Exception {
        byte[] stored = handBuilt("legacy secret");
        SecretScheme s = SecretSchemes.cyrusLegacyPlain();
        assertEquals(Verification.MATCH_NEEDS_REHASH, s.verify("legacy secret".toCharArray(), stored));
        assertEquals(Verification.MISMATCH, s.verify("legacy secreT".toCharArray(), stored));
        assertEquals(Verification.MISMATCH, s.verify(new char[0], stored));
        assertTrue(s.needsRehash(stored));
        assertFalse(s.passwordEquivalent());
    }

    @Test
    void allThirtyThreeBytesCount() throws Exception {
        byte[] stored = handBuilt("pw");
        stored[16] = 1; // Cyrus compares the separator byte too
        assertEquals(Verification.MISMATCH, SecretSchemes.cyrusLegacyPlain().verify("pw".toCharArray(), stored));
    }

    @Test
    void wrongLengthIsMalformedAndWriteIsRefused() {
        assertThrows(MalformedSecretException.class,
                () -> SecretSchemes.cyrusLegacyPlain().verify("pw".toCharArray(), new byte[32]));
        assertThrows(UnsupportedOperationException.class, () -> SecretSchemes.cyrusLegacyPlain().encode("pw".toCharArray()));
    }
}
