package org.sasldb4j.store.secret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PlaintextSchemeTest {
    private final SecretScheme s = SecretSchemes.plaintext();

    @Test
    void storesVerbatimAndComparesExactly() {
        byte[] stored = s.encode("Jürgen\r\n pw".toCharArray());
        assertArrayEquals("Jürgen\r\n pw".getBytes(StandardCharsets.UTF_8), stored);
        assertEquals(Verification.MATCH, s.verify("Jürgen\r\n pw".toCharArray(), stored));
        assertEquals(Verification.MISMATCH, s.verify("jürgen\r\n pw".toCharArray(), stored));
        assertEquals(Verification.MISMATCH, s.verify("Jürgen\r\n p".toCharArray(), stored));
        assertFalse(s.needsRehash(stored));
        assertEquals("userPassword", s.property());
    }

    @Test
    void cyrusStrcmpSemanticsWithoutItsNulWeakness() {
        byte[] stored = "abc\0junk".getBytes(StandardCharsets.US_ASCII);
        assertEquals(Verification.MATCH, s.verify("abc".toCharArray(), stored));
        assertEquals(Verification.MISMATCH, s.verify("abc\0junk".toCharArray(), stored));
        assertEquals(Verification.MISMATCH, s.verify(new char[0], new byte[0]));
    }

    @Test
    void rawBytesCompareAsCyrusDoes() {
        byte[] latin1 = {'p', (byte) 0xE4, 's', 's'};
        assertEquals(Verification.MATCH, s.verify(latin1.clone(), latin1));
    }

    @Test
    void encodeRefusesWhatCyrusWouldCorrupt() {
        assertThrows(IllegalArgumentException.class, () -> s.encode(new char[0]));
        assertThrows(IllegalArgumentException.class, () -> s.encode("a\0b".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> s.encode(new char[] {'a', '\uD800'}));
        assertThrows(IllegalArgumentException.class, () -> s.encode(new char[8192]));
        assertEquals(Verification.MISMATCH, s.verify(new char[] {'a', '\uD800'}, "a?".getBytes(StandardCharsets.US_ASCII)));
    }
}
