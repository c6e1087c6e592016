package org.sasldb4j.auxprop.daemon;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.sasldb4j.store.StrictUtf8;

/**
 * Field-level encoding of the Dovecot auth protocol: lines of TAB-separated fields, with the
 * tab-escaping of Dovecot's {@code str_tabescape} ({@code \001} followed by {@code 0 1 t r n}
 * for NUL, 0x01, TAB, CR, LF), request ids and base64.
 */
final class DovecotCodec {
    private static final char ESC = '\001';

    private DovecotCodec() {}

    /**
     * Splits a line (without its LF) into unescaped fields.
     *
     * @throws ProtocolException if the line is not UTF-8 or has a bad escape
     */
    static List<String> split(byte[] line) throws ProtocolException {
        String text = StrictUtf8.decodeOrNull(line);
        if (text == null) {
            throw new ProtocolException("line is not UTF-8");
        }
        List<String> fields = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '\t') {
                fields.add(unescape(text.substring(start, i)));
                start = i + 1;
            }
        }
        return fields;
    }

    /** Reverses {@link #escape}. */
    static String unescape(String s) throws ProtocolException {
        if (s.indexOf(ESC) < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != ESC) {
                b.append(c);
                continue;
            }
            if (++i == s.length()) {
                throw new ProtocolException("escape at end of field");
            }
            switch (s.charAt(i)) {
                case '0' -> b.append('\0');
                case '1' -> b.append(ESC);
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'n' -> b.append('\n');
                default -> throw new ProtocolException("unknown escape");
            }
        }
        return b.toString();
    }

    /** Escapes the characters that would break a field or a line. */
    static String escape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '\0' -> "\0010";
                case ESC -> "\0011";
                case '\t' -> "\001t";
                case '\r' -> "\001r";
                case '\n' -> "\001n";
                default -> null;
            };
            if (rep != null && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (b != null) {
                if (rep != null) {
                    b.append(rep);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    /**
     * A request id: an unsigned 32-bit decimal without sign or leading junk, as Dovecot's
     * {@code str_to_uint}. Zero is refused (Dovecot treats it as a broken request).
     *
     * @throws ProtocolException if the field is not such a number
     */
    static long parseId(String s) throws ProtocolException {
        if (s.isEmpty() || s.length() > 10) {
            throw new ProtocolException("bad request id");
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new ProtocolException("bad request id");
            }
            v = v * 10 + (c - '0');
        }
        if (v == 0 || v > 0xFFFF_FFFFL) {
            throw new ProtocolException("bad request id");
        }
        return v;
    }

    /**
     * Decodes standard base64 (padding optional, no whitespace), as clients send it.
     *
     * @return the bytes, or null if {@code s} is not base64
     */
    static byte[] decodeBase64(String s) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String encodeBase64(byte[] b) {
        return b == null ? "" : Base64.getEncoder().encodeToString(b);
    }

    /** A broken line: the connection is closed, as Dovecot disconnects broken clients. */
    static final class ProtocolException extends Exception {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message, null, false, false);
        }
    }
}
