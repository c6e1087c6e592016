package org.sasldb4j.store.secret;

/** Turns the {@code char[]} entry points into the byte-level ones, wiping the UTF-8 copy. */
abstract class AbstractScheme implements SecretScheme {
    /**
     * Longest password accepted, in UTF-8 bytes: the longest value Cyrus can store
     * (docs/reference/cyrus-sasldb.md §1.2), so a password that fits one scheme fits all. Longer input is refused, not truncated.
     */
    static final int MAX_PASSWORD_BYTES = 8191;

    @Override
    public final Verification verify(char[] password, byte[] stored) {
        byte[] pw = Bytes.utf8OrNull(password);
        try {
            if (pw == null) {
                // Still parse the stored value so a malformed one is reported the same way.
                needsRehash(stored);
                return Verification.MISMATCH;
            }
            return verify(pw, stored);
        } finally {
            Wipe.bytes(pw);
        }
    }

    @Override
    public final byte[] encode(char[] password) {
        byte[] pw = Bytes.utf8(password);
        try {
            checkEncodable(pw);
            return encodeBytes(pw);
        } finally {
            Wipe.bytes(pw);
        }
    }

    /** Encodes UTF-8 password bytes, already checked by {@link #checkEncodable}. */
    abstract byte[] encodeBytes(byte[] password);

    /** True if a candidate password cannot match anything this library stores. */
    static boolean unusable(byte[] password) {
        return password.length == 0 || password.length > MAX_PASSWORD_BYTES;
    }

    static void checkEncodable(byte[] pw) {
        if (pw.length == 0) {
            throw new IllegalArgumentException("the password is empty");
        }
        if (pw.length > MAX_PASSWORD_BYTES) {
            throw new IllegalArgumentException(
                    "the password is longer than " + MAX_PASSWORD_BYTES + " bytes in UTF-8");
        }
        for (byte b : pw) {
            if (b == 0) {
                // Cyrus stores values with strlen(): a NUL would silently cut the password.
                throw new IllegalArgumentException("the password contains a NUL character");
            }
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name() + " in " + property() + "]";
    }
}
