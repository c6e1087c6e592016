package org.sasldb4j.auxprop.sasl;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.security.sasl.SaslException;

/** Strict UTF-8 decoding that reports errors as {@link SaslException} (never quoting input). */
final class Utf8 {
    private Utf8() {}

    static String decode(byte[] bytes, String what) throws SaslException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SaslException(what + " is not valid UTF-8");
        }
    }

    /**
     * Decodes a secret into a {@code char[]} the caller wipes; bytes that are not UTF-8 are taken
     * as ISO-8859-1 (legacy plaintexts). The decoder's buffer is wiped.
     */
    static char[] secretChars(byte[] bytes) {
        CharBuffer out = CharBuffer.allocate(bytes.length);
        try {
            var decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            if (decoder.decode(ByteBuffer.wrap(bytes), out, true).isError() || decoder.flush(out).isError()) {
                char[] latin1 = new char[bytes.length];
                for (int i = 0; i < bytes.length; i++) {
                    latin1[i] = (char) (bytes[i] & 0xff);
                }
                return latin1;
            }
            return Arrays.copyOf(out.array(), out.position());
        } finally {
            Arrays.fill(out.array(), '\0');
        }
    }
}
