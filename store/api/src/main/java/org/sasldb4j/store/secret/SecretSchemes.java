package org.sasldb4j.store.secret;

import java.util.Optional;

/**
 * Factory of the {@link SecretScheme}s sasldb4j knows, and parsers of stored SCRAM values.
 *
 * <table>
 *   <caption>Schemes</caption>
 *   <tr><th>Factory</th><th>Property</th><th>Writes</th></tr>
 *   <tr><td>{@link #plaintext()}</td><td>{@code userPassword}</td><td>yes (Cyrus default)</td></tr>
 *   <tr><td>{@link #argon2id(Argon2Parameters)}</td><td>{@code sasldb4j.argon2id}</td><td>yes</td></tr>
 *   <tr><td>{@link #authPassword(ScramVariant, int)}</td><td>{@code authPassword}</td><td>yes (as Cyrus)</td></tr>
 *   <tr><td>{@link #scramSha256(int)}</td><td>{@code sasldb4j.scram-sha-256}</td><td>yes</td></tr>
 *   <tr><td>{@link #cramMd5()}</td><td>{@code sasldb4j.cram-md5}</td><td>yes, opt-in</td></tr>
 *   <tr><td>{@link #cyrusLegacyPlain()}</td><td>{@code cmusaslsecretPLAIN}</td><td>no, verify only</td></tr>
 *   <tr><td>{@link #cyrusLegacyCramMd5()}</td><td>{@code cmusaslsecretCRAM-MD5}</td><td>no, verify only</td></tr>
 * </table>
 */
public final class SecretSchemes {
    /** SCRAM iterations for new values: RFC 7677's minimum, Cyrus's and Dovecot's default. */
    public static final int DEFAULT_SCRAM_ITERATIONS = 4096;

    private SecretSchemes() {}

    public static SecretScheme plaintext() {
        return PlaintextScheme.INSTANCE;
    }

    /** Argon2id with {@link Argon2Parameters#CURRENT}. */
    public static SecretScheme argon2id() {
        return argon2id(Argon2Parameters.CURRENT);
    }

    public static SecretScheme argon2id(Argon2Parameters parameters) {
        return new Argon2idScheme(parameters);
    }

    /** SCRAM-SHA-1 in Cyrus {@code authPassword}, {@value #DEFAULT_SCRAM_ITERATIONS} iterations. */
    public static SecretScheme authPassword() {
        return authPassword(ScramVariant.SHA_1, DEFAULT_SCRAM_ITERATIONS);
    }

    /**
     * SCRAM keys of {@code variant} in Cyrus {@code authPassword} form. Verification accepts an
     * {@code authPassword} of any variant (Cyrus may have written another) and reports it as
     * needing a rehash.
     *
     * @throws IllegalArgumentException if {@code iterations} is below 4096 (RFC 7677 §4)
     */
    public static SecretScheme authPassword(ScramVariant variant, int iterations) {
        return new ScramScheme(variant, ScramScheme.Form.AUTH_PASSWORD, SecretProperties.AUTH_PASSWORD, iterations);
    }

    /** SCRAM-SHA-256 in {@code sasldb4j.scram-sha-256}, {@value #DEFAULT_SCRAM_ITERATIONS} iterations. */
    public static SecretScheme scramSha256() {
        return scramSha256(DEFAULT_SCRAM_ITERATIONS);
    }

    /** @throws IllegalArgumentException if {@code iterations} is below 4096 */
    public static SecretScheme scramSha256(int iterations) {
        return new ScramScheme(ScramVariant.SHA_256, ScramScheme.Form.DOVECOT, SecretProperties.SCRAM_SHA_256, iterations);
    }

    public static SecretScheme cramMd5() {
        return CramMd5Scheme.DOVECOT;
    }

    public static SecretScheme cyrusLegacyPlain() {
        return CyrusPlainScheme.INSTANCE;
    }

    public static SecretScheme cyrusLegacyCramMd5() {
        return CramMd5Scheme.CYRUS_LEGACY;
    }

    /** The scheme that reads {@code property} with default parameters, if any. */
    public static Optional<SecretScheme> forProperty(String property) {
        return Optional.ofNullable(switch (property) {
            case SecretProperties.USER_PASSWORD -> plaintext();
            case SecretProperties.ARGON2ID -> argon2id();
            case SecretProperties.AUTH_PASSWORD -> authPassword();
            case SecretProperties.SCRAM_SHA_256 -> scramSha256();
            case SecretProperties.CRAM_MD5 -> cramMd5();
            case SecretProperties.CMUSASLSECRET_PLAIN -> cyrusLegacyPlain();
            case SecretProperties.CMUSASLSECRET_CRAM_MD5 -> cyrusLegacyCramMd5();
            default -> null;
        });
    }

    /**
     * Parses an RFC 5803 / Cyrus {@code authPassword} value of any SCRAM variant.
     *
     * @throws MalformedSecretException if it is not one
     */
    public static ScramKeys parseAuthPassword(byte[] stored) {
        return ScramFormats.parseAuthPassword(stored);
    }

    /**
     * Parses a Dovecot {@code {SCRAM-SHA-1}} or {@code {SCRAM-SHA-256}} value.
     *
     * @throws MalformedSecretException if it is not one
     */
    public static ScramKeys parseDovecotScram(byte[] stored) {
        return ScramFormats.parseDovecot(stored);
    }
}
