/**
 * Secret schemes: how passwords are stored in sasldb properties and checked against them.
 *
 * <p>Public API:
 * <ul>
 *   <li>{@link org.sasldb4j.store.secret.SecretScheme} per scheme (encode, verify, needsRehash),
 *       from {@link org.sasldb4j.store.secret.SecretSchemes}; result
 *       {@link org.sasldb4j.store.secret.Verification}.
 *   <li>{@link org.sasldb4j.store.secret.SecretSet}: which schemes to store, with which
 *       {@link org.sasldb4j.store.secret.Argon2Parameters} and SCRAM iteration count.
 *   <li>{@link org.sasldb4j.store.secret.PasswordVerifier}: a password against all of one
 *       user's records, with the dummy verification for unknown users.
 *   <li>{@link org.sasldb4j.store.secret.MechanismSecrets}: the one rule for which stored
 *       secret serves which mechanism (SCRAM {@link org.sasldb4j.store.secret.ScramKeys},
 *       {@link org.sasldb4j.store.secret.CramMd5Context}, DIGEST-MD5's password), with decoys
 *       of equal cost; {@link org.sasldb4j.store.secret.ScramSaltKey}, the persistent key of
 *       derived SCRAM salts.
 *   <li>{@link org.sasldb4j.store.secret.SecretProperties}: property names and a value-free
 *       summary for listings; {@link org.sasldb4j.store.secret.SaslPrep}.
 * </ul>
 *
 * <p><b>Security notes for the whole package.</b> Passwords travel as {@code char[]} or
 * {@code byte[]} owned by the caller; every copy made here is wiped in a {@code finally}.
 * Secret comparisons use {@link java.security.MessageDigest#isEqual}. Types holding secret
 * material print {@code <redacted>} and use identity equality. Exception messages name fields,
 * never values. Known limits, all outside what Java lets one control: base64 text of stored
 * values passes through immutable {@link java.lang.String}s while parsing; JCA {@code Mac} and
 * {@code SecretKeySpec} keep key copies that cannot be wiped; SASLprep of non-ASCII passwords
 * goes through {@link java.text.Normalizer}, which returns a {@code String}.
 *
 * <p>Formats are documented in {@code docs/format.md}, section "Properties and secret formats".
 */
package org.sasldb4j.store.secret;
