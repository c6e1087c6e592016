package org.sasldb4j.store;

import java.util.HexFormat;

/**
 * Hex digits inside a byte array (a line of a {@code db_dump} file, of a {@code saslpasswd
 * --batch}), decoded with {@link HexFormat}'s digit rules without making a {@link String} of
 * them: the digits may spell a password.
 */
public final class HexDigits {
    private HexDigits() {}

    /**
     * The bytes that {@code text[from..to)} spells as pairs of hex digits ({@code 0-9a-fA-F}), or
     * null if the length is odd or any byte is not a hex digit. Everything is checked before the
     * result is allocated, so a refused input leaves no partial copy behind.
     */
    public static byte[] decodeOrNull(byte[] text, int from, int to) {
        if (((to - from) & 1) != 0) {
            return null;
        }
        for (int i = from; i < to; i++) {
            if (!HexFormat.isHexDigit(text[i])) {
                return null;
            }
        }
        byte[] out = new byte[(to - from) / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (HexFormat.fromHexDigit(text[from + 2 * i]) << 4 | HexFormat.fromHexDigit(text[from + 2 * i + 1]));
        }
        return out;
    }
}
