package org.sasldb4j.store.secret;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Cyrus {@code userPassword}: the password itself, verbatim (docs/reference/cyrus-sasldb.md §1.4).
 *
 * <p>Verification follows {@code sasl_checkpass}'s {@code strcmp}: the stored value counts up to
 * its first NUL. Unlike Cyrus, a candidate containing NUL never matches (Cyrus would compare only
 * the part before it) and an empty candidate never matches.
 *
 * <p><b>Security:</b> password-equivalent. The comparison is {@link MessageDigest#isEqual} with
 * the candidate first, so its time depends on the candidate's length, which the client knows,
 * not on the stored password's.
 */
final class PlaintextScheme extends AbstractScheme {
    static final PlaintextScheme INSTANCE = new PlaintextScheme();

    private PlaintextScheme() {}

    @Override
    public String name() {
        return "plaintext";
    }

    @Override
    public String property() {
        return SecretProperties.USER_PASSWORD;
    }

    @Override
    public boolean passwordEquivalent() {
        return true;
    }

    @Override
    byte[] encodeBytes(byte[] password) {
        return password.clone();
    }

    @Override
    public Verification verify(byte[] password, byte[] stored) {
        int end = 0;
        while (end < stored.length && stored[end] != 0) {
            end++;
        }
        byte[] expected = Arrays.copyOf(stored, end);
        try {
            boolean nul = false;
            for (byte b : password) {
                nul |= b == 0;
            }
            boolean equal = MessageDigest.isEqual(password, expected);
            return equal && !nul && password.length > 0 ? Verification.MATCH : Verification.MISMATCH;
        } finally {
            Wipe.bytes(expected);
        }
    }

    @Override
    public boolean needsRehash(byte[] stored) {
        return false;
    }
}
