package org.sasldb4j.auxprop.sasl;

import javax.security.sasl.SaslException;
import org.sasldb4j.store.StrictUtf8;

/** Strict UTF-8 decoding that reports errors as {@link SaslException} (never quoting input). */
final class Utf8 {
    private Utf8() {}

    static String decode(byte[] bytes, String what) throws SaslException {
        String text = StrictUtf8.decodeOrNull(bytes);
        if (text == null) {
            throw new SaslException(what + " is not valid UTF-8");
        }
        return text;
    }
}
