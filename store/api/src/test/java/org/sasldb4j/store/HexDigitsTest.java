package org.sasldb4j.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hex digits inside a line: both cases, a range of the array, nothing but ASCII hex digits. */
class HexDigitsTest {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void decodesARangeInEitherCase() {
        assertArrayEquals(new byte[] {0x00, (byte) 0xab, (byte) 0xCD, 0x7f}, HexDigits.decodeOrNull(ascii(" 00abCD7f"), 1, 9));
        assertArrayEquals(new byte[0], HexDigits.decodeOrNull(ascii("x"), 1, 1));
        assertArrayEquals(new byte[] {0x12}, HexDigits.decodeOrNull(ascii("add 12 zz"), 4, 6));
    }

    @Test
    void refusesOddLengthAndNonDigits() {
        assertNull(HexDigits.decodeOrNull(ascii("abc"), 0, 3));
        assertNull(HexDigits.decodeOrNull(ascii("0g"), 0, 2));
        assertNull(HexDigits.decodeOrNull(ascii("+1"), 0, 2));
        assertNull(HexDigits.decodeOrNull(ascii(" 1"), 0, 2));
        // Bytes outside ASCII are never digits: a Latin-1 superscript two, a UTF-8 fullwidth one.
        assertNull(HexDigits.decodeOrNull(new byte[] {(byte) 0xb2, '1'}, 0, 2));
        assertNull(HexDigits.decodeOrNull(new byte[] {(byte) 0xef, (byte) 0xbc, (byte) 0x91, '1'}, 0, 4));
    }

    /** Property: on random digit strings it is the inverse of HexFormat's encoding. */
    @Test
    void invertsHexFormatOnRandomBytes() {
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            byte[] b = new byte[random.nextInt(40)];
            random.nextBytes(b);
            HexFormat format = random.nextBoolean() ? HexFormat.of() : HexFormat.of().withUpperCase();
            byte[] text = ascii("<" + format.formatHex(b) + ">");
            assertArrayEquals(b, HexDigits.decodeOrNull(text, 1, text.length - 1));
        }
    }
}
