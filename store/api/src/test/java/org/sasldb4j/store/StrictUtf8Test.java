package org.sasldb4j.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one strict UTF-8 decoder: every malformed form is refused, never replaced. */
class StrictUtf8Test {
    @Test
    void validTextIsDecoded() {
        String s = "hal€\uD83D\uDE00Ä";
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        assertEquals(s, StrictUtf8.decodeOrNull(b));
        assertArrayEquals(s.toCharArray(), StrictUtf8.charsOrNull(b));
        assertTrue(StrictUtf8.isValid(b));
        assertEquals("", StrictUtf8.decodeOrNull(new byte[0]));
        assertTrue(StrictUtf8.isValid(new byte[0]));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "80", // a lone continuation byte
        "c080", // overlong NUL
        "e08080", // overlong
        "eda080", // an encoded surrogate (U+D800)
        "e282", // truncated at the end
        "f4908080", // above U+10FFFF
        "ff", "61ff62", // never in UTF-8
        "c3", // a lead byte alone
    })
    void malformedInputIsRefused(String hex) {
        byte[] b = HexFormat.of().parseHex(hex);
        assertNull(StrictUtf8.decodeOrNull(b));
        assertNull(StrictUtf8.charsOrNull(b));
        assertFalse(StrictUtf8.isValid(b));
    }

    /** Property: valid exactly when the JDK's replacing decoder round-trips the bytes unchanged. */
    @Test
    void agreesWithTheRoundTripOnRandomBytes() {
        Random random = new Random(20261203);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(12)];
            random.nextBytes(b);
            if (random.nextBoolean()) {
                for (int k = 0; k < b.length; k++) {
                    b[k] = (byte) (b[k] & 0x7f | (random.nextInt(4) == 0 ? 0x80 : 0)); // mostly ASCII
                }
            }
            String replacing = new String(b, StandardCharsets.UTF_8);
            boolean roundTrips = Arrays.equals(replacing.getBytes(StandardCharsets.UTF_8), b);
            String strict = StrictUtf8.decodeOrNull(b);
            assertEquals(roundTrips, strict != null, HexFormat.of().formatHex(b));
            if (strict != null) {
                assertEquals(replacing, strict);
            }
        }
    }
}
