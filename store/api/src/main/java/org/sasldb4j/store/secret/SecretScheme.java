package org.sasldb4j.store.secret;

/**
 * One way of storing a password in one property, in the manner of Spring Security's
 * {@code PasswordEncoder}: {@link #encode} makes a stored value, {@link #verify} checks a password
 * against one, {@link #needsRehash} tells whether a stored value is weaker than what
 * {@link #encode} makes today.
 *
 * <p>Instances come from {@link SecretSchemes}; they are immutable and thread-safe.
 *
 * <p><b>Security:</b> the caller owns the {@code password} array and wipes it; schemes wipe every
 * copy they make (UTF-8 bytes, SASLprep output, derived keys) before returning, except where a JDK
 * API forces an immutable copy, which the scheme's javadoc names. Comparisons of secret material
 * are constant-time ({@link java.security.MessageDigest#isEqual}). Exceptions never quote a
 * password or a stored value.
 */
public interface SecretScheme {
    /** A short name for listings and the command line, e.g. {@code argon2id}, {@code scram-sha-256}. */
    String name();

    /** The sasldb property this scheme's values live in (see {@link SecretProperties}). */
    String property();

    /**
     * True if the stored value lets its holder authenticate without knowing the password (the
     * plaintext itself, a CRAM-MD5 context). Such schemes are opt-in.
     */
    boolean passwordEquivalent();

    /**
     * Encodes {@code password} into a new stored value (with fresh salt where the scheme has one).
     *
     * @param password the password; not modified, not retained
     * @return the value bytes to store under {@link #property()}
     * @throws IllegalArgumentException if the password is empty, not valid Unicode, or (SCRAM)
     *     rejected by SASLprep; the message does not quote it
     * @throws UnsupportedOperationException for read-only legacy schemes
     */
    byte[] encode(char[] password);

    /**
     * Checks {@code password} against a stored value.
     *
     * <p>A wrong or empty password, or one that is not valid Unicode, gives {@link
     * Verification#MISMATCH}; only a stored value in the wrong format throws.
     *
     * @throws MalformedSecretException if {@code stored} is not a value of this scheme
     */
    Verification verify(char[] password, byte[] stored);

    /**
     * Like {@link #verify(char[], byte[])} with the password as raw bytes, as SASL PLAIN delivers
     * it (UTF-8 by the RFC, but Cyrus compares bytes, so legacy Latin-1 plaintexts still match).
     *
     * @throws MalformedSecretException if {@code stored} is not a value of this scheme
     */
    Verification verify(byte[] password, byte[] stored);

    /**
     * True if {@code stored} was made with weaker parameters than {@link #encode} uses now.
     *
     * @throws MalformedSecretException if {@code stored} is not a value of this scheme
     */
    boolean needsRehash(byte[] stored);
}
