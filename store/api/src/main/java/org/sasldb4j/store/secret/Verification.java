package org.sasldb4j.store.secret;

/** The result of checking a password against one stored secret. */
public enum Verification {
    /** The password is right and the stored secret uses current parameters. */
    MATCH,
    /**
     * The password is right but the stored secret is weaker than the current default (fewer
     * Argon2 passes or less memory, fewer SCRAM iterations): re-encode it while the plaintext is
     * at hand.
     */
    MATCH_NEEDS_REHASH,
    /** The password is wrong. */
    MISMATCH;

    /** True for {@link #MATCH} and {@link #MATCH_NEEDS_REHASH}. */
    public boolean matches() {
        return this != MISMATCH;
    }
}
