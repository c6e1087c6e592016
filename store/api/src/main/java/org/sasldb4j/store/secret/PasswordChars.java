package org.sasldb4j.store.secret;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A stored plaintext password as characters, for the schemes and mechanisms that work on
 * characters (SCRAM with SASLprep, the JDK's DIGEST-MD5).
 *
 * <p><b>Security:</b> the caller wipes the result; the decoder's buffer is wiped here.
 */
public final class PasswordChars {
    private PasswordChars() {}

    /**
     * The characters whose UTF-8 encoding {@code stored} is; bytes that are not UTF-8 (legacy
     * Latin-1 plaintexts, which Cyrus stores as typed) become one character per byte.
     */
    public static char[] of(byte[] stored) {
        CharBuffer out = CharBuffer.allocate(stored.length);
        try {
            var decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            if (decoder.decode(ByteBuffer.wrap(stored), out, true).isError() || decoder.flush(out).isError()) {
                char[] latin1 = new char[stored.length];
                for (int i = 0; i < stored.length; i++) {
                    latin1[i] = (char) (stored[i] & 0xff);
                }
                return latin1;
            }
            return Arrays.copyOf(out.array(), out.position());
        } finally {
            Arrays.fill(out.array(), '\0');
        }
    }
}
