package org.sasldb4j.store.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SaslPrepTest {
    private static String prep(String s) {
        return new String(SaslPrep.prepare(s.toCharArray(), true));
    }

    /** RFC 4013 §3, examples 1 to 5. */
    @ParameterizedTest(name = "#{0}")
    @CsvSource({
        "1, I\u00ADX, IX",
        "2, user, user",
        "3, USER, USER",
        "4, \u00AA, a",
        "5, \u2168, IX",
    })
    void rfc4013Examples(int n, String in, String out) {
        assertEquals(out, prep(in));
    }

    @Test
    void rfc4013Example3DoesNotMatchExample2() {
        assertFalse(prep("USER").equals(prep("user")));
    }

    /** RFC 4013 §3, example 6: U+0007 is prohibited. */
    @Test
    void rfc4013Example6() {
        var e = assertThrows(SaslPrep.SaslPrepException.class, () -> prep("\u0007"));
        assertEquals("SASLprep: prohibited code point (table C.2.1)", e.getMessage());
    }

    /** RFC 4013 §3, example 7: RandALCat first but not last. */
    @Test
    void rfc4013Example7() {
        assertThrows(SaslPrep.SaslPrepException.class, () -> prep("\u0627\u0031"));
    }

    @Test
    void bidiAllowedWhenRandAlAtBothEnds() {
        assertEquals("\u0627\u0031\u0628", prep("\u0627\u0031\u0628"));
        assertThrows(SaslPrep.SaslPrepException.class, () -> prep("\u0627a\u0628")); // LCat with RandALCat
    }

    @Test
    void mappings() {
        assertEquals("a b", prep("a\u00A0b"));    // C.1.2 non-ASCII space -> SPACE
        assertEquals("a b", prep("a\u3000b"));
        assertEquals("ab", prep("a\u200Bb"));     // ZERO WIDTH SPACE is in B.1: mapped to nothing
        assertEquals("ab", prep("a\uFEFFb"));
        assertEquals("\u00C5", prep("A\u030A"));  // NFKC composes
        assertEquals("", prep("\u00AD"));
    }

    @ParameterizedTest
    @CsvSource({
        "0x0085, C.2.2", "0xE000, C.3", "0xFDD0, C.4", "0xFFFD, C.6", "0x2FF0, C.7", "0x200E, C.8",
        "0xE0001, C.9", "0x1D173, C.2.2", "0x10FFFF, C.4", "0x7F, C.2.1",
    })
    void prohibited(String hex, String table) {
        int cp = Integer.decode(hex);
        var e = assertThrows(SaslPrep.SaslPrepException.class, () -> prep("a" + Character.toString(cp) + "b"));
        assertEquals("SASLprep: prohibited code point (table " + table + ")", e.getMessage());
    }

    @Test
    void unpairedSurrogateAndUnassigned() {
        assertThrows(SaslPrep.SaslPrepException.class, () -> SaslPrep.prepare(new char[] {'a', '\uDC00'}, true));
        int unassigned = 0x0378; // unassigned in every Unicode version so far
        char[] s = Character.toChars(unassigned);
        assertEquals(new String(s), new String(SaslPrep.prepare(s, true)));
        assertThrows(SaslPrep.SaslPrepException.class, () -> SaslPrep.prepare(s, false));
    }
}
