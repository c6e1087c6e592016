package org.sasldb4j.store.secret;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Byte helpers shared by the schemes: UTF-8 encoding of {@code char[]} passwords without a
 * {@link String} in between, wiping, base64 that reports errors as {@link MalformedSecretException}.
 *
 * <p><b>Security:</b> every method that produces secret bytes returns a fresh array the caller
 * owns and must wipe; intermediate buffers are wiped here.
 */
final class Bytes {
    /** One generator for salts; SecureRandom is thread-safe. */
    static final SecureRandom RANDOM = new SecureRandom();

    private Bytes() {}

    /**
     * UTF-8 bytes of {@code chars}, or {@code null} if they are not valid UTF-16 (an unpaired
     * surrogate). A null lets verifiers answer MISMATCH instead of throwing on user input.
     */
    static byte[] utf8OrNull(char[] chars) {
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer out = ByteBuffer.allocate(chars.length * 3);
        try {
            // encode() would size its buffer by guessing and copy; one exact-bound buffer instead
            var result = encoder.encode(CharBuffer.wrap(chars), out, true);
            if (result.isError()) {
                return null;
            }
            result = encoder.flush(out);
            if (result.isError()) {
                return null;
            }
            return Arrays.copyOf(out.array(), out.position());
        } finally {
            Arrays.fill(out.array(), (byte) 0);
        }
    }

    /**
     * UTF-8 bytes of {@code chars}.
     *
     * @throws IllegalArgumentException if {@code chars} holds an unpaired surrogate (the message
     *     does not quote the password)
     */
    static byte[] utf8(char[] chars) {
        byte[] b = utf8OrNull(chars);
        if (b == null) {
            throw new IllegalArgumentException("the password is not valid Unicode (unpaired surrogate)");
        }
        return b;
    }

    /** Decodes UTF-8 into a char[] the caller wipes, or null if the bytes are not valid UTF-8. */
    static char[] decodeUtf8OrNull(byte[] bytes) {
        CharBuffer out = CharBuffer.allocate(bytes.length);
        try {
            var decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            var result = decoder.decode(ByteBuffer.wrap(bytes), out, true);
            if (result.isError() || decoder.flush(out).isError()) {
                return null;
            }
            return Arrays.copyOf(out.array(), out.position());
        } finally {
            Arrays.fill(out.array(), '\0');
        }
    }

    static void wipe(byte[]... arrays) {
        for (byte[] a : arrays) {
            if (a != null) {
                Arrays.fill(a, (byte) 0);
            }
        }
    }

    static void wipe(char[] a) {
        if (a != null) {
            Arrays.fill(a, '\0');
        }
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * Decodes standard base64 (padding optional).
     *
     * @throws MalformedSecretException naming {@code what}, never quoting the text
     */
    static byte[] base64(String text, String what) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedSecretException(what + " is not valid base64");
        }
    }

    /** Standard base64 with padding (RFC 5803, Dovecot SCRAM). */
    static String base64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    /** Standard base64 without padding (PHC strings). */
    static String base64NoPad(byte[] b) {
        return Base64.getEncoder().withoutPadding().encodeToString(b);
    }

    /** Stored values are text in a known charset subset; non-ASCII bytes are a format error. */
    static String ascii(byte[] stored, String what) {
        for (byte b : stored) {
            if (b < 0x20 || b > 0x7e) {
                throw new MalformedSecretException(what + " contains a byte outside printable ASCII");
            }
        }
        return new String(stored, StandardCharsets.US_ASCII);
    }

    /**
     * Parses a decimal in {@code [min, max]} made of ASCII digits only (no sign, no spaces).
     *
     * @throws MalformedSecretException naming {@code what}
     */
    static int decimal(String s, int min, int max, String what) {
        if (s.isEmpty() || s.length() > 10) {
            throw new MalformedSecretException(what + " is not a decimal number of at most 10 digits");
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new MalformedSecretException(what + " is not a decimal number");
            }
            v = v * 10 + (c - '0');
        }
        if (v < min || v > max) {
            throw new MalformedSecretException(what + " is outside [" + min + ", " + max + "]");
        }
        return (int) v;
    }

    static byte[] hex(String s, String what) {
        if ((s.length() & 1) != 0) {
            throw new MalformedSecretException(what + " has an odd number of hex digits");
        }
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16);
            int lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0 || s.charAt(2 * i) > 'f' || s.charAt(2 * i + 1) > 'f') {
                Arrays.fill(out, (byte) 0);
                throw new MalformedSecretException(what + " is not hexadecimal");
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit(x >> 4 & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return sb.toString();
    }

    /** Concatenation into a new array. */
    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }
}
