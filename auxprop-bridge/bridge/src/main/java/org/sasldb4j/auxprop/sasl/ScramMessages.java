package org.sasldb4j.auxprop.sasl;

import java.util.Base64;
import javax.security.sasl.SaslException;

/**
 * Parsers of the two SCRAM client messages (RFC 5802 §7). Every failure is a
 * {@link SaslException} whose message names the rule broken, never the input.
 *
 * <p><b>Security:</b> input is bounded ({@link #MAX_MESSAGE}) before anything else is done; the
 * parsers are linear in the input and allocate at most a copy of it.
 */
final class ScramMessages {
    /** Longest client message accepted; real ones are under 300 bytes. */
    static final int MAX_MESSAGE = 4096;
    /** Longest client nonce accepted. */
    static final int MAX_NONCE = 512;

    private ScramMessages() {}

    /** The client-first-message, split. */
    record ClientFirst(String gs2Header, char cbindFlag, String authzid, String username, String clientNonce, String bare) {}

    /** The client-final-message, split. */
    record ClientFinal(String channelBinding, String nonce, byte[] proof, String withoutProof) {}

    static ClientFirst parseClientFirst(byte[] message) throws SaslException {
        String s = text(message);
        char flag;
        int i;
        if (s.startsWith("n,") || s.startsWith("y,")) {
            flag = s.charAt(0);
            i = 2;
        } else if (s.startsWith("p=")) {
            // We offer no -PLUS mechanism, so no channel binding type is supported.
            throw new SaslException("SCRAM: channel binding is not supported (e=channel-binding-not-supported)");
        } else {
            throw new SaslException("SCRAM: malformed GS2 header");
        }
        String authzid = "";
        if (s.startsWith("a=", i)) {
            int comma = s.indexOf(',', i);
            if (comma < 0) {
                throw new SaslException("SCRAM: malformed GS2 header");
            }
            authzid = saslname(s.substring(i + 2, comma));
            i = comma;
        }
        if (i >= s.length() || s.charAt(i) != ',') {
            throw new SaslException("SCRAM: malformed GS2 header");
        }
        String gs2Header = s.substring(0, i + 1);
        String bare = s.substring(i + 1);
        if (bare.startsWith("m=")) {
            throw new SaslException("SCRAM: mandatory extension not supported (e=extensions-not-supported)");
        }
        String[] parts = bare.split(",", -1);
        if (parts.length < 2 || !parts[0].startsWith("n=") || !parts[1].startsWith("r=")) {
            throw new SaslException("SCRAM: client-first-message lacks n= and r=");
        }
        String username = saslname(parts[0].substring(2));
        String nonce = nonce(parts[1].substring(2));
        for (int k = 2; k < parts.length; k++) {
            extension(parts[k]);
        }
        return new ClientFirst(gs2Header, flag, authzid, username, nonce, bare);
    }

    static ClientFinal parseClientFinal(byte[] message) throws SaslException {
        String s = text(message);
        int proofAt = s.lastIndexOf(",p=");
        if (proofAt < 0) {
            throw new SaslException("SCRAM: client-final-message lacks the proof");
        }
        String withoutProof = s.substring(0, proofAt);
        String[] parts = withoutProof.split(",", -1);
        if (parts.length < 2 || !parts[0].startsWith("c=") || !parts[1].startsWith("r=")) {
            throw new SaslException("SCRAM: client-final-message lacks c= and r=");
        }
        for (int k = 2; k < parts.length; k++) {
            extension(parts[k]);
        }
        String cb = parts[0].substring(2);
        String nonce = parts[1].substring(2);
        byte[] proof = base64(s.substring(proofAt + 3), "proof");
        return new ClientFinal(cb, nonce, proof, withoutProof);
    }

    /** Decodes standard base64, as SaslException on error. */
    static byte[] base64(String text, String what) throws SaslException {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new SaslException("SCRAM: " + what + " is not valid base64");
        }
    }

    /** RFC 5802 saslname: "=2C" is ',', "=3D" is '=', any other '=' and ',' are errors. */
    static String saslname(String s) throws SaslException {
        if (s.isEmpty()) {
            throw new SaslException("SCRAM: empty name");
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '=') {
                if (s.startsWith("=2C", i)) {
                    out.append(',');
                } else if (s.startsWith("=3D", i)) {
                    out.append('=');
                } else {
                    throw new SaslException("SCRAM: invalid '=' escape in a name (e=invalid-username-encoding)");
                }
                i += 2;
            } else if (c == ',' || c == '\0') {
                throw new SaslException("SCRAM: invalid character in a name (e=invalid-username-encoding)");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String nonce(String s) throws SaslException {
        if (s.isEmpty() || s.length() > MAX_NONCE) {
            throw new SaslException("SCRAM: client nonce empty or too long");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7e || c == ',') {
                throw new SaslException("SCRAM: client nonce has a non-printable character");
            }
        }
        return s;
    }

    /** An optional extension "x=..." (one letter other than m); ignored as RFC 5802 allows. */
    private static void extension(String part) throws SaslException {
        if (part.length() < 2 || part.charAt(1) != '=' || !isAlpha(part.charAt(0))) {
            throw new SaslException("SCRAM: malformed attribute");
        }
        if (part.charAt(0) == 'm') {
            throw new SaslException("SCRAM: mandatory extension not supported (e=extensions-not-supported)");
        }
    }

    private static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** Bounded strict UTF-8 decoding: SCRAM messages are UTF-8 (RFC 5802 §7). */
    private static String text(byte[] message) throws SaslException {
        if (message == null || message.length == 0 || message.length > MAX_MESSAGE) {
            throw new SaslException("SCRAM: message empty or longer than " + MAX_MESSAGE + " bytes");
        }
        return Utf8.decode(message, "SCRAM message");
    }
}
