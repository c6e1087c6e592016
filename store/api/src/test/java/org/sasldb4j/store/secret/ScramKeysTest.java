package org.sasldb4j.store.secret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Key derivation against the RFC 5802 and RFC 7677 exchanges, and the Cyrus authPassword vector. */
class ScramKeysTest {
    static final String CYRUS_VECTOR =
            "SCRAM-SHA-1$4096:dAdXgoGlDLFI5X8ySvaW+w==$ALS+RPXuDo2J5IFn0ZWhpCD3ZGY=:qY6aGXKzJJuEJ4c/GG3bQ33duLs=";

    /**
     * Checks derived keys against a published exchange: ClientKey = proof XOR HMAC(StoredKey,
     * AuthMessage) must hash to StoredKey, and HMAC(ServerKey, AuthMessage) must be the server
     * signature.
     */
    private static void checkExchange(ScramVariant v, String salt, String clientFirstBare, String serverFirst,
                                      String clientFinalNoProof, String proof, String serverSignature) throws Exception {
        ScramKeys keys = ScramKeys.derive(v, "pencil".toCharArray(), Base64.getDecoder().decode(salt), 4096);
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + clientFinalNoProof)
                .getBytes(StandardCharsets.US_ASCII);
        byte[] clientSignature = hmac(v, keys.storedKey(), authMessage);
        byte[] p = Base64.getDecoder().decode(proof);
        byte[] clientKey = new byte[p.length];
        for (int i = 0; i < p.length; i++) {
            clientKey[i] = (byte) (p[i] ^ clientSignature[i]);
        }
        assertArrayEquals(keys.storedKey(), v.newDigest().digest(clientKey), "StoredKey");
        assertArrayEquals(Base64.getDecoder().decode(serverSignature), hmac(v, keys.serverKey(), authMessage),
                "ServerKey");
    }

    private static byte[] hmac(ScramVariant v, byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance(v.macAlgorithm());
        mac.init(new SecretKeySpec(key, v.macAlgorithm()));
        return mac.doFinal(data);
    }

    @Test
    void rfc5802ScramSha1() throws Exception {
        checkExchange(ScramVariant.SHA_1, "QSXCR+Q6sek8bf92",
                "n=user,r=fyko+d2lbbFgONRv9qkxdawL",
                "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
                "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j",
                "v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
                "rmF9pqV8S7suAoZWja4dJRkFsKQ=");
    }

    @Test
    void rfc7677ScramSha256() throws Exception {
        checkExchange(ScramVariant.SHA_256, "W22ZaJ0SNY7soEsUEjb6gQ==",
                "n=user,r=rOprNGfwEbeRWgbNEkqO",
                "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
                "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
                "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    }

    @Test
    void hiMatchesJcaPbkdf2() throws Exception {
        // Independent check of the written-out Hi(): JCA PBKDF2 with an ASCII password.
        byte[] salt = "NaCl-salt-123456".getBytes(StandardCharsets.US_ASCII);
        for (ScramVariant v : ScramVariant.values()) {
            var spec = new javax.crypto.spec.PBEKeySpec("pass word".toCharArray(), salt, 1000, v.hashLength() * 8);
            byte[] expected = javax.crypto.SecretKeyFactory.getInstance("PBKDF2With" + v.macAlgorithm())
                    .generateSecret(spec).getEncoded();
            assertArrayEquals(expected, ScramKeys.hi(v, "pass word".getBytes(StandardCharsets.US_ASCII), salt, 1000),
                    v.mechanism());
        }
    }

    @Test
    void cyrusAuthPasswordVectorVerifies() {
        byte[] stored = CYRUS_VECTOR.getBytes(StandardCharsets.US_ASCII);
        SecretScheme s = SecretSchemes.authPassword();
        assertEquals(Verification.MATCH, s.verify("pencil-and-otp-phrase".toCharArray(), stored));
        assertEquals(Verification.MISMATCH, s.verify("pencil-and-otp-phrasE".toCharArray(), stored));
        assertEquals(Verification.MISMATCH, s.verify(new char[0], stored));
        assertFalse(s.needsRehash(stored));
    }

    @Test
    void cyrusVectorRecomputedAndReformattedByteForByte() {
        ScramKeys parsed = SecretSchemes.parseAuthPassword(CYRUS_VECTOR.getBytes(StandardCharsets.US_ASCII));
        assertEquals(ScramVariant.SHA_1, parsed.variant());
        assertEquals(4096, parsed.iterations());
        assertEquals(CYRUS_VECTOR, parsed.toAuthPassword());
        ScramKeys derived = ScramKeys.derive(ScramVariant.SHA_1, "pencil-and-otp-phrase".toCharArray(),
                parsed.salt(), 4096);
        assertEquals(CYRUS_VECTOR, derived.toAuthPassword());
    }

    @Test
    void cyrusToleratesSpacesAroundDollar() {
        String spaced = "  SCRAM-SHA-1 $ 4096:dAdXgoGlDLFI5X8ySvaW+w== $ ALS+RPXuDo2J5IFn0ZWhpCD3ZGY=:"
                + "qY6aGXKzJJuEJ4c/GG3bQ33duLs=  ";
        assertEquals(Verification.MATCH, SecretSchemes.authPassword()
                .verify("pencil-and-otp-phrase".toCharArray(), spaced.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void authPasswordOfAnotherVariantVerifiesAndAsksForRehash() {
        ScramKeys k = ScramKeys.derive(ScramVariant.SHA_256, "pw".toCharArray(), new byte[16], 4096);
        byte[] stored = k.toAuthPassword().getBytes(StandardCharsets.US_ASCII);
        assertTrue(k.toAuthPassword().startsWith("SCRAM-SHA-256$4096:AAAAAAAAAAAAAAAAAAAAAA==$"));
        assertEquals(Verification.MATCH_NEEDS_REHASH, SecretSchemes.authPassword().verify("pw".toCharArray(), stored));
    }

    @Test
    void lowIterationCountNeedsRehash() {
        ScramKeys k = ScramKeys.derive(ScramVariant.SHA_256, "pw".toCharArray(), new byte[16], 1000);
        byte[] stored = k.toDovecot().getBytes(StandardCharsets.US_ASCII);
        assertTrue(SecretSchemes.scramSha256().needsRehash(stored));
        assertEquals(Verification.MATCH_NEEDS_REHASH, SecretSchemes.scramSha256().verify("pw".toCharArray(), stored));
        assertFalse(SecretSchemes.scramSha256(1000 * 4 + 96).needsRehash(
                ScramKeys.derive(ScramVariant.SHA_256, "pw".toCharArray(), new byte[16], 4096).toDovecot()
                        .getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void encodeWritesDovecotAndCyrusForms() {
        String dovecot = new String(SecretSchemes.scramSha256().encode("pencil".toCharArray()), StandardCharsets.US_ASCII);
        assertTrue(dovecot.matches("\\{SCRAM-SHA-256\\}4096,[A-Za-z0-9+/]{22}==,[A-Za-z0-9+/]{43}=,[A-Za-z0-9+/]{43}="),
                "shape of the Dovecot value");
        String cyrus = new String(SecretSchemes.authPassword().encode("pencil".toCharArray()), StandardCharsets.US_ASCII);
        assertTrue(cyrus.matches("SCRAM-SHA-1\\$4096:[A-Za-z0-9+/]{22}==\\$[A-Za-z0-9+/]{27}=:[A-Za-z0-9+/]{27}="),
                "shape of the Cyrus value");
        assertEquals(Verification.MATCH, SecretSchemes.scramSha256().verify("pencil".toCharArray(),
                dovecot.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void saslPrepIsAppliedAndRawBytesStillVerify() {
        // U+00AD SOFT HYPHEN maps to nothing: "I\u00ADX" prepares to "IX".
        ScramKeys prepared = ScramKeys.derive(ScramVariant.SHA_1, "I\u00ADX".toCharArray(), new byte[16], 4096);
        ScramKeys plain = ScramKeys.derive(ScramVariant.SHA_1, "IX".toCharArray(), new byte[16], 4096);
        assertEquals(plain.toAuthPassword(), prepared.toAuthPassword());
        // A Cyrus-made value (no SASLprep) of the raw bytes still verifies.
        ScramKeys raw = ScramKeys.deriveFromBytes(ScramVariant.SHA_1, "I\u00ADX".getBytes(StandardCharsets.UTF_8),
                new byte[16], 4096);
        assertEquals(Verification.MATCH, SecretSchemes.authPassword().verify("I\u00ADX".toCharArray(),
                raw.toAuthPassword().getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void boundsAndRedaction() {
        assertThrows(IllegalArgumentException.class,
                () -> ScramKeys.of(ScramVariant.SHA_1, new byte[16], 4096, new byte[19], new byte[20]));
        assertThrows(IllegalArgumentException.class, () -> SecretSchemes.scramSha256(4095));
        ScramKeys k = SecretSchemes.parseAuthPassword(CYRUS_VECTOR.getBytes(StandardCharsets.US_ASCII));
        assertEquals("ScramKeys[SCRAM-SHA-1, i=4096, keys=<redacted>]", k.toString());
        k.wipe();
        assertArrayEquals(new byte[20], k.storedKey());
    }
}
