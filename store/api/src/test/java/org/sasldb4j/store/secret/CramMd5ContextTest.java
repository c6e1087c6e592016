package org.sasldb4j.store.secret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;



class CramMd5ContextTest {
    static final byte[] RFC2195_CHALLENGE =
            "<1896.697170952@postoffice.reston.mci.net>".getBytes(StandardCharsets.US_ASCII);

    @Test
    void rfc2195ExampleFromContext() {
        CramMd5Context c = CramMd5Context.fromPassword("tanstaaftanstaaf".toCharArray());
        assertEquals("b913a602c7eda7a495b4e6e7334d3890", HexFormat.of().formatHex(c.hmac(RFC2195_CHALLENGE)));
        assertTrue(c.matches(RFC2195_CHALLENGE, "b913a602c7eda7a495b4e6e7334d3890".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(c.matches(RFC2195_CHALLENGE, "B913A602C7EDA7A495B4E6E7334D3890".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(c.matches(RFC2195_CHALLENGE, "b913a602c7eda7a495b4e6e7334d3891".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(c.matches(RFC2195_CHALLENGE, new byte[0]));
    }

    @Test
    void rfc2195ExampleThroughBothStoredForms() {
        CramMd5Context c = CramMd5Context.fromPassword("tanstaaftanstaaf".toCharArray());
        String dovecot = c.toDovecot();
        assertTrue(dovecot.matches("\\{CRAM-MD5\\}[0-9a-f]{64}"));
        CramMd5Context d = CramMd5Context.fromDovecot(dovecot.getBytes(StandardCharsets.US_ASCII));
        assertEquals("b913a602c7eda7a495b4e6e7334d3890", HexFormat.of().formatHex(d.hmac(RFC2195_CHALLENGE)));
        CramMd5Context legacy = CramMd5Context.fromCyrusLegacy(c.toCyrusLegacy());
        assertEquals("b913a602c7eda7a495b4e6e7334d3890", HexFormat.of().formatHex(legacy.hmac(RFC2195_CHALLENGE)));
    }

    @Test
    void layoutsAreOuterFirstLittleEndianVersusInnerFirstBigEndian() {
        CramMd5Context c = CramMd5Context.fromPassword("tanstaaftanstaaf".toCharArray());
        byte[] dovecot = Bytes.hex(c.toDovecot().substring("{CRAM-MD5}".length()), "t");
        byte[] cyrus = c.toCyrusLegacy();
        for (int word = 0; word < 8; word++) {
            int dovecotWord = (word + 4) % 8; // Dovecot: outer (Cyrus words 4..7) first
            for (int k = 0; k < 4; k++) {
                assertEquals(cyrus[4 * word + k], dovecot[4 * dovecotWord + 3 - k]);
            }
        }
        // The inner state is MD5's chaining value after one block of key XOR ipad; its first
        // word can be checked against a full MD5 of that block minus the final padding block,
        // so instead check hmac() against the JCA for many keys below.
    }

    @Test
    void hmacFromContextEqualsJcaHmacMd5() throws Exception {
        Random rnd = new Random(2195);
        for (int i = 0; i < 300; i++) {
            byte[] key = new byte[1 + rnd.nextInt(150)]; // includes keys longer than 64 bytes
            rnd.nextBytes(key);
            byte[] msg = new byte[rnd.nextInt(200)];
            rnd.nextBytes(msg);
            Mac mac = Mac.getInstance("HmacMD5");
            mac.init(new SecretKeySpec(key, "HmacMD5"));
            assertArrayEquals(mac.doFinal(msg), CramMd5Context.fromKey(key).hmac(msg), "key length " + key.length);
        }
    }

    @Test
    void md5FromInitialStateEqualsJca() throws Exception {
        Random rnd = new Random(1321);
        for (int n = 0; n < 300; n++) {
            byte[] data = new byte[n];
            rnd.nextBytes(data);
            int[] state = Md5.initialState();
            int full = n / 64 * 64;
            for (int off = 0; off < full; off += 64) {
                Md5.compress(state, data, off);
            }
            byte[] tail = java.util.Arrays.copyOfRange(data, full, n);
            assertArrayEquals(MessageDigest.getInstance("MD5").digest(data), Md5.finish(state, full, tail), "length " + n);
        }
    }

    @Test
    void schemeVerifiesAndIsPasswordEquivalent() {
        SecretScheme s = SecretSchemes.cramMd5();
        byte[] stored = s.encode("tanstaaftanstaaf".toCharArray());
        assertEquals(Verification.MATCH, s.verify("tanstaaftanstaaf".toCharArray(), stored));
        assertEquals(Verification.MISMATCH, s.verify("tanstaaftanstaag".toCharArray(), stored));
        assertTrue(s.passwordEquivalent());
        assertEquals("sasldb4j.cram-md5", s.property());
        SecretScheme legacy = SecretSchemes.cyrusLegacyCramMd5();
        byte[] legacyValue = CramMd5Context.fromPassword("tanstaaftanstaaf".toCharArray()).toCyrusLegacy();
        assertEquals(Verification.MATCH_NEEDS_REHASH, legacy.verify("tanstaaftanstaaf".toCharArray(), legacyValue));
        assertThrows(UnsupportedOperationException.class, () -> legacy.encode("x".toCharArray()));
    }

    @Test
    void dovecotAliasAndCaseAccepted() {
        String hex = CramMd5Context.fromPassword("pw".toCharArray()).toDovecot().substring(10);
        for (String prefix : new String[] {"{cram-md5}", "{HMAC-MD5}"}) {
            assertEquals(Verification.MATCH, SecretSchemes.cramMd5().verify("pw".toCharArray(),
                    (prefix + hex.toUpperCase()).getBytes(StandardCharsets.US_ASCII)));
        }
    }

    @Test
    void redacted() {
        assertEquals("CramMd5Context[<redacted>]", CramMd5Context.fromPassword("pw".toCharArray()).toString());
    }
}
