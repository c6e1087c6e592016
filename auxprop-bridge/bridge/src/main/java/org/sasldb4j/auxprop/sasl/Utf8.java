package org.sasldb4j.auxprop.sasl;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
}
