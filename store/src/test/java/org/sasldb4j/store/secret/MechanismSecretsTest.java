package org.sasldb4j.store.secret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.UserId;

class MechanismSecretsTest {
    static final UserId U = UserId.of("user", "vm");
    private final MechanismSecrets secrets = new MechanismSecrets();

    private static Entry e(String property, String value) {
        return Entry.of(U, property, value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void scramFromPlaintextWithStableSalt() {
        List<Entry> r = List.of(e("userPassword", "pencil"), e("authPassword", ScramKeysTest.CYRUS_VECTOR));
        ScramKeys a = secrets.scramKeys(r, ScramVariant.SHA_256).orElseThrow();
        ScramKeys b = secrets.scramKeys(r, ScramVariant.SHA_256).orElseThrow();
        assertArrayEquals(a.salt(), b.salt());
        assertEquals(16, a.salt().length);
        assertEquals(4096, a.iterations());
        ScramKeys expected = ScramKeys.derive(ScramVariant.SHA_256, "pencil".toCharArray(), a.salt(), 4096);
        assertArrayEquals(expected.storedKey(), a.storedKey());
        assertArrayEquals(expected.serverKey(), a.serverKey());
        // The dummy for an unknown user has the same kind of salt.
        assertArrayEquals(a.salt(), secrets.dummyScramKeys(U, ScramVariant.SHA_256).salt());
        assertFalse(java.util.Arrays.equals(a.salt(),
                secrets.dummyScramKeys(UserId.of("other", "vm"), ScramVariant.SHA_256).salt()));
    }

    @Test
    void scramFromStoredValues() {
        List<Entry> cyrus = List.of(e("authPassword", ScramKeysTest.CYRUS_VECTOR));
        ScramKeys k = secrets.scramKeys(cyrus, ScramVariant.SHA_1).orElseThrow();
        assertEquals(ScramKeysTest.CYRUS_VECTOR, k.toAuthPassword());
        assertTrue(secrets.scramKeys(cyrus, ScramVariant.SHA_256).isEmpty(), "SHA-1 keys cannot serve SHA-256");

        List<Entry> hashed = SecretSet.HASHED.withArgon2(Argon2idSchemeTest.CHEAP).encode(U, "pencil".toCharArray());
        ScramKeys k256 = secrets.scramKeys(hashed, ScramVariant.SHA_256).orElseThrow();
        assertEquals(Verification.MATCH, SecretSchemes.scramSha256().verify("pencil".toCharArray(),
                k256.toDovecot().getBytes(StandardCharsets.US_ASCII)));
        assertTrue(secrets.scramKeys(hashed, ScramVariant.SHA_1).isPresent());
        assertTrue(secrets.scramKeys(List.of(e("authPassword", "SCRAM-SHA-1$x")), ScramVariant.SHA_1).isEmpty());
        assertTrue(secrets.scramKeys(List.of(e("userPassword", "")), ScramVariant.SHA_1).isEmpty());
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
            assertEquals(digest, Bytes.hex(c.hmac(CramMd5ContextTest.RFC2195_CHALLENGE)), r.toString());
        }
        assertTrue(MechanismSecrets.cramMd5(List.of(e("sasldb4j.argon2id", "x"))).isEmpty());
    }
}
