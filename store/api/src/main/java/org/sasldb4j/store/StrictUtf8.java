package org.sasldb4j.store;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The one strict UTF-8 decoder of the project: malformed input (a stray continuation byte, an
 * overlong form, an encoded surrogate, a truncated sequence) is an answer, never replaced with
 * U+FFFD, because a replaced user name or password would name another user or password than the
 * bytes sent or stored.
 *
 * <p><b>Security:</b> {@link #charsOrNull} is for secrets: its result is the caller's to wipe and
 * the decoder's buffer is wiped here. The other methods make a {@link String}, which cannot be
 * wiped: use them for names and protocol text, never for passwords.
 */
public final class StrictUtf8 {
    private StrictUtf8() {}

    /** The text {@code bytes} encode, or null if they are not valid UTF-8. */
    public static String decodeOrNull(byte[] bytes) {
        char[] chars = charsOrNull(bytes);
        return chars == null ? null : new String(chars);
    }

    /** True if {@code bytes} are valid UTF-8 (the empty array is). */
    public static boolean isValid(byte[] bytes) {
        char[] chars = charsOrNull(bytes);
        if (chars == null) {
            return false;
        }
        Arrays.fill(chars, '\0');
        return true;
    }

    /**
     * The characters {@code bytes} encode, in a new array the caller owns (and wipes, if it holds
     * a secret), or null if they are not valid UTF-8.
     */
    public static char[] charsOrNull(byte[] bytes) {
        // UTF-8 never needs more chars than bytes: one buffer of that size, wiped after.
        CharBuffer out = CharBuffer.allocate(bytes.length);
        try {
            CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            if (decoder.decode(ByteBuffer.wrap(bytes), out, true).isError() || decoder.flush(out).isError()) {
                return null;
            }
            return Arrays.copyOf(out.array(), out.position());
        } finally {
            Arrays.fill(out.array(), '\0');
        }
    }
}
