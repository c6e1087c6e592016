package org.sasldb4j.store.secret;

import org.sasldb4j.store.StrictUtf8;

/**
 * A stored plaintext password as characters, for the schemes and mechanisms that work on
 * characters (SCRAM with SASLprep, the JDK's DIGEST-MD5).
 *
 * <p><b>Security:</b> the caller wipes the result.
 */
public final class PasswordChars {
    private PasswordChars() {}

    /**
     * The characters whose UTF-8 encoding {@code stored} is; bytes that are not UTF-8 (legacy
     * Latin-1 plaintexts, which Cyrus stores as typed) become one character per byte.
     */
    public static char[] of(byte[] stored) {
        char[] utf8 = StrictUtf8.charsOrNull(stored);
        if (utf8 != null) {
            return utf8;
        }
        char[] latin1 = new char[stored.length];
        for (int i = 0; i < stored.length; i++) {
            latin1[i] = (char) (stored[i] & 0xff);
        }
        return latin1;
    }
}
