package org.sasldb4j.store.secret;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

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

    /**
     * Decodes hex digits ({@code 0-9a-fA-F}).
     *
     * @throws MalformedSecretException naming {@code what}, never quoting the text
     */
    static byte[] hex(String s, String what) {
        if ((s.length() & 1) != 0) {
            throw new MalformedSecretException(what + " has an odd number of hex digits");
        }
        if (!s.chars().allMatch(HexFormat::isHexDigit)) {
            // Checked first: parseHex would leave a partly filled array behind when it throws.
            throw new MalformedSecretException(what + " is not hexadecimal");
        }
        return HexFormat.of().parseHex(s);
    }
}
