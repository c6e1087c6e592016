package org.sasldb4j.store.secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A CRAM-MD5 HMAC context (RFC 2104 §4, RFC 2195): the MD5 states after absorbing {@code key XOR
 * ipad} (inner) and {@code key XOR opad} (outer). With it a server answers {@code HMAC-MD5(password,
 * challenge)} without the password.
 *
 * <p>Two stored forms exist (docs/reference/protocols.md §4, docs/reference/cyrus-sasldb.md §1.7); both are read:
 * <ul>
 *   <li>Dovecot {@code {CRAM-MD5}<64 hex>}: outer A,B,C,D then inner A,B,C,D, words little-endian.
 *       sasldb4j writes this form: it is text (Cyrus library writes cut values at the first NUL,
 *       which raw state bytes may contain) and it can be pasted into a Dovecot passdb as is.
 *   <li>Cyrus legacy {@code cmusaslsecretCRAM-MD5}: 32 raw bytes, inner then outer, words
 *       big-endian.
 * </ul>
 *
 * <p><b>Security:</b> password-equivalent for CRAM-MD5 (whoever holds it can log in with CRAM-MD5)
 * and an unsalted MD5 of the password against offline guessing; hence opt-in. {@link #toString()}
 * is redacted; {@code equals} is identity; call {@link #wipe()} when done.
 */
public final class CramMd5Context {
    /** Bytes in either stored form of the two states. */
    public static final int LENGTH = 32;

    private final int[] inner;
    private final int[] outer;

    private CramMd5Context(int[] inner, int[] outer) {
        this.inner = inner;
        this.outer = outer;
    }

    /**
     * The context for a password (its UTF-8 bytes are the HMAC key, hashed with MD5 first if longer
     * than 64 bytes, as RFC 2104 and Cyrus/Dovecot do).
     *
     * @throws IllegalArgumentException if the password is not valid Unicode
     */
    public static CramMd5Context fromPassword(char[] password) {
        byte[] key = Bytes.utf8(password);
        try {
            return fromKey(key);
        } finally {
            Wipe.bytes(key);
        }
    }

    /** The context for raw key bytes (a Cyrus {@code userPassword} value). */
    static CramMd5Context fromKey(byte[] key) {
        byte[] k = key.length > 64 ? CyrusPlainScheme.md5().digest(key) : key.clone();
        byte[] ipad = new byte[64];
        byte[] opad = new byte[64];
        try {
            for (int i = 0; i < 64; i++) {
                byte b = i < k.length ? k[i] : 0;
                ipad[i] = (byte) (b ^ 0x36);
                opad[i] = (byte) (b ^ 0x5c);
            }
            int[] in = Md5.initialState();
            int[] out = Md5.initialState();
            Md5.compress(in, ipad, 0);
            Md5.compress(out, opad, 0);
            return new CramMd5Context(in, out);
        } finally {
            Wipe.bytes(k, ipad, opad);
        }
    }

    /**
     * Parses a Dovecot {@code {CRAM-MD5}<64 hex digits>} value (scheme name case-insensitive;
     * {@code {HMAC-MD5}}, Dovecot's alias, accepted too).
     *
     * @throws MalformedSecretException if the value is not in that form
     */
    public static CramMd5Context fromDovecot(byte[] stored) {
        if (stored.length > 200) {
            throw new MalformedSecretException("CRAM-MD5 value is too long");
        }
        String s = Bytes.ascii(stored, "CRAM-MD5 value");
        int close = s.indexOf('}');
        String scheme = close < 0 || !s.startsWith("{") ? "" : s.substring(1, close).toUpperCase(Locale.ROOT);
        if (!scheme.equals("CRAM-MD5") && !scheme.equals("HMAC-MD5")) {
            throw new MalformedSecretException("CRAM-MD5 value does not start with {CRAM-MD5}");
        }
        String hex = s.substring(close + 1);
        if (hex.length() != 2 * LENGTH) {
            throw new MalformedSecretException("CRAM-MD5 value does not have 64 hex digits");
        }
        byte[] raw = Bytes.hex(hex, "CRAM-MD5 value");
        try {
            return new CramMd5Context(words(raw, 16, false), words(raw, 0, false));
        } finally {
            Wipe.bytes(raw);
        }
    }

    /**
     * Parses a legacy Cyrus {@code cmusaslsecretCRAM-MD5} value: 32 bytes, inner then outer state,
     * words big-endian.
     *
     * @throws MalformedSecretException if the value is not 32 bytes long
     */
    public static CramMd5Context fromCyrusLegacy(byte[] stored) {
        if (stored.length != LENGTH) {
            throw new MalformedSecretException("cmusaslsecretCRAM-MD5 is not 32 bytes long");
        }
        return new CramMd5Context(words(stored, 0, true), words(stored, 16, true));
    }

    /** The Dovecot text form, {@code {CRAM-MD5}} and 64 lowercase hex digits. */
    public String toDovecot() {
        byte[] raw = new byte[LENGTH];
        try {
            putWords(raw, 0, outer, false);
            putWords(raw, 16, inner, false);
            return "{CRAM-MD5}" + HexFormat.of().formatHex(raw);
        } finally {
            Wipe.bytes(raw);
        }
    }

    /** The 32-byte legacy Cyrus form (inner, outer, big-endian words). */
    public byte[] toCyrusLegacy() {
        byte[] raw = new byte[LENGTH];
        putWords(raw, 0, inner, true);
        putWords(raw, 16, outer, true);
        return raw;
    }

    /** {@code HMAC-MD5(password, challenge)}, the 16 bytes a CRAM-MD5 client sends as hex. */
    public byte[] hmac(byte[] challenge) {
        byte[] innerDigest = Md5.finish(inner, 64, challenge);
        try {
            return Md5.finish(outer, 64, innerDigest);
        } finally {
            Wipe.bytes(innerDigest);
        }
    }

    /**
     * True if {@code response} is the lowercase or uppercase hex of {@link #hmac(byte[])}
     * (compared in constant time).
     */
    public boolean matches(byte[] challenge, byte[] response) {
        byte[] expected = HexFormat.of().formatHex(hmac(challenge)).getBytes(StandardCharsets.US_ASCII);
        byte[] given = new byte[response.length];
        for (int i = 0; i < response.length; i++) {
            byte b = response[i];
            given[i] = b >= 'A' && b <= 'F' ? (byte) (b + 32) : b;
        }
        try {
            return MessageDigest.isEqual(given, expected);
        } finally {
            Wipe.bytes(expected, given);
        }
    }

    /** Constant-time comparison of the two states. */
    boolean sameAs(CramMd5Context other) {
        byte[] a = toCyrusLegacy();
        byte[] b = other.toCyrusLegacy();
        try {
            return MessageDigest.isEqual(a, b);
        } finally {
            Wipe.bytes(a, b);
        }
    }

    /** Overwrites the states; the instance is unusable afterwards. */
    public void wipe() {
        Arrays.fill(inner, 0);
        Arrays.fill(outer, 0);
    }

    @Override
    public String toString() {
        return "CramMd5Context[<redacted>]";
    }

    private static int[] words(byte[] b, int off, boolean bigEndian) {
        int[] w = new int[4];
        for (int i = 0; i < 4; i++) {
            int p = off + 4 * i;
            w[i] = bigEndian
                    ? (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff)
                    : (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
        }
        return w;
    }

    private static void putWords(byte[] b, int off, int[] w, boolean bigEndian) {
        for (int i = 0; i < 4; i++) {
            for (int k = 0; k < 4; k++) {
                int shift = bigEndian ? 24 - 8 * k : 8 * k;
                b[off + 4 * i + k] = (byte) (w[i] >>> shift);
            }
        }
    }
}
