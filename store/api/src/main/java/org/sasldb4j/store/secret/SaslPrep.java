package org.sasldb4j.store.secret;

import java.nio.CharBuffer;
import java.text.Normalizer;
import java.util.Arrays;
import org.sasldb4j.store.StrictUtf8;

/**
 * SASLprep (RFC 4013), the stringprep (RFC 3454) profile SCRAM applies to passwords.
 *
 * <p>Steps, in the RFC's order: map (table B.1 to nothing, table C.1.2 non-ASCII spaces to
 * U+0020), normalise with Unicode NFKC, reject prohibited code points (tables C.1.2, C.2.1, C.2.2,
 * C.3, C.4, C.5, C.6, C.7, C.8, C.9), check bidirectional text (RFC 3454 §6, tables D.1 and D.2).
 *
 * <p><b>Honest limits.</b> The mapping and prohibition tables are transcribed in full from RFC 3454.
 * Two things come from the JDK instead of the Unicode 3.2 tables the RFC pins: NFKC ({@link
 * Normalizer}, Unicode 13 on Java 17) and the bidi categories ({@link
 * Character#getDirectionality}). They agree with Unicode 3.2 for every character assigned in 3.2
 * (normalisation stability policy), so they differ only for characters unassigned in 3.2. Those are
 * the "unassigned code points" of table A.1: in {@linkplain #prepare(char[], boolean) query mode}
 * (what a server checking a password uses) they pass through as the RFC allows; in stored mode
 * this class rejects only code points unassigned in the JDK's Unicode version, a subset of A.1.
 * RFC 7613 (PRECIS OpaqueString), which obsoletes RFC 4013, is not implemented; for the passwords
 * people type the two agree.
 *
 * <p><b>Security:</b> for input that is printable ASCII (the common case) the work happens in
 * place on a copy that the caller wipes. Other input goes through {@link Normalizer}, which
 * returns a {@link String} that cannot be wiped and lives until garbage collection.
 */
public final class SaslPrep {
    private SaslPrep() {}

    /** SASLprep rejected the input. The message names the rule, never the offending character. */
    public static final class SaslPrepException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        SaslPrepException(String message) {
            super(message);
        }
    }

    /**
     * Prepares {@code input} as RFC 4013 says.
     *
     * @param input the string; not modified
     * @param allowUnassigned true for "queries" (a password being checked), false for "stored
     *     strings" (a password being stored), see RFC 3454 §7
     * @return a new array the caller wipes; may be empty
     * @throws SaslPrepException if a prohibited code point remains after mapping or the
     *     bidirectional rule fails
     */
    public static char[] prepare(char[] input, boolean allowUnassigned) {
        if (printableAscii(input)) {
            // Nothing maps, NFKC is the identity and nothing is prohibited in U+0020..U+007E.
            return input.clone();
        }
        char[] mapped = map(input);
        String normalized;
        try {
            normalized = Normalizer.normalize(CharBuffer.wrap(mapped), Normalizer.Form.NFKC);
        } finally {
            Wipe.chars(mapped);
        }
        char[] out = normalized.toCharArray();
        try {
            check(out, allowUnassigned);
            return out;
        } catch (RuntimeException e) {
            Wipe.chars(out);
            throw e;
        }
    }

    /**
     * The bytes SCRAM hashes for a password: UTF-8 of SASLprep (query rules), or the password's
     * own UTF-8 if SASLprep rejects it (what Cyrus, which never applies SASLprep, and Dovecot do).
     *
     * @throws IllegalArgumentException if {@code password} is not valid Unicode
     */
    static byte[] normalizeForScram(char[] password) {
        char[] prepared = null;
        try {
            prepared = prepare(password, true);
        } catch (SaslPrepException e) {
            return Bytes.utf8(password);
        }
        try {
            return Bytes.utf8(prepared);
        } finally {
            Wipe.chars(prepared);
        }
    }

    /**
     * {@link #normalizeForScram(char[])} for raw password bytes; bytes that are not UTF-8 are
     * returned unchanged (a copy).
     */
    static byte[] normalizeForScram(byte[] password) {
        char[] chars = StrictUtf8.charsOrNull(password);
        if (chars == null) {
            return password.clone();
        }
        try {
            return normalizeForScram(chars);
        } finally {
            Wipe.chars(chars);
        }
    }

    private static boolean printableAscii(char[] s) {
        for (char c : s) {
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** RFC 4013 §2.1 and §2.2: B.1 to nothing, C.1.2 to SPACE. */
    private static char[] map(char[] in) {
        char[] out = new char[in.length];
        int n = 0;
        for (int i = 0; i < in.length; ) {
            int cp = Character.codePointAt(in, i);
            int len = Character.charCount(cp);
            if (!mapsToNothing(cp)) {
                if (nonAsciiSpace(cp)) {
                    out[n++] = ' ';
                } else {
                    for (int k = 0; k < len; k++) {
                        out[n++] = in[i + k];
                    }
                }
            }
            i += len;
        }
        char[] result = Arrays.copyOf(out, n);
        Wipe.chars(out);
        return result;
    }

    /** RFC 4013 §2.3, §2.4, §2.5. */
    private static void check(char[] s, boolean allowUnassigned) {
        boolean randAL = false;
        boolean l = false;
        int first = -1;
        int last = -1;
        for (int i = 0; i < s.length; ) {
            int cp = Character.codePointAt(s, i);
            if (Character.isSurrogate(s[i]) && Character.charCount(cp) == 1) {
                throw new SaslPrepException("SASLprep: unpaired surrogate (table C.5)");
            }
            String table = prohibitedTable(cp);
            if (table != null) {
                throw new SaslPrepException("SASLprep: prohibited code point (table " + table + ")");
            }
            if (!allowUnassigned && !Character.isDefined(cp)) {
                throw new SaslPrepException("SASLprep: unassigned code point (table A.1)");
            }
            boolean isRandAL = isRandAL(cp);
            randAL |= isRandAL;
            l |= Character.getDirectionality(cp) == Character.DIRECTIONALITY_LEFT_TO_RIGHT;
            if (first < 0) {
                first = isRandAL ? 1 : 0;
            }
            last = isRandAL ? 1 : 0;
            i += Character.charCount(cp);
        }
        if (randAL && (l || first != 1 || last != 1)) {
            throw new SaslPrepException("SASLprep: bidirectional rule of RFC 3454 section 6 violated");
        }
    }

    private static boolean isRandAL(int cp) {
        byte d = Character.getDirectionality(cp);
        return d == Character.DIRECTIONALITY_RIGHT_TO_LEFT || d == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
    }

    /** RFC 3454 table B.1. */
    static boolean mapsToNothing(int cp) {
        return cp == 0x00AD || cp == 0x034F || cp == 0x1806 || (cp >= 0x180B && cp <= 0x180D)
                || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || (cp >= 0xFE00 && cp <= 0xFE0F)
                || cp == 0xFEFF;
    }

    /** RFC 3454 table C.1.2. */
    static boolean nonAsciiSpace(int cp) {
        return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    /** The name of the RFC 3454 table that prohibits {@code cp} under SASLprep, or null. */
    static String prohibitedTable(int cp) {
        if (nonAsciiSpace(cp)) {
            return "C.1.2";
        }
        if (cp <= 0x1F || cp == 0x7F) {
            return "C.2.1";
        }
        if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x06DD || cp == 0x070F || cp == 0x180E || cp == 0x200C
                || cp == 0x200D || cp == 0x2028 || cp == 0x2029 || (cp >= 0x2060 && cp <= 0x2063)
                || (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFC)
                || (cp >= 0x1D173 && cp <= 0x1D17A)) {
            return "C.2.2";
        }
        if ((cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xF0000 && cp <= 0xFFFFD)
                || (cp >= 0x100000 && cp <= 0x10FFFD)) {
            return "C.3";
        }
        if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
            return "C.4";
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            return "C.5";
        }
        if (cp >= 0xFFF9 && cp <= 0xFFFD) {
            return "C.6";
        }
        if (cp >= 0x2FF0 && cp <= 0x2FFB) {
            return "C.7";
        }
        if (cp == 0x0340 || cp == 0x0341 || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x206A && cp <= 0x206F)) {
            return "C.8";
        }
        if (cp == 0xE0001 || (cp >= 0xE0020 && cp <= 0xE007F)) {
            return "C.9";
        }
        return null;
    }
}
