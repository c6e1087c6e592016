package org.sasldb4j.store.secret;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.sasldb4j.store.Entry;

/**
 * The property names that hold secrets, and a summary of a user's records that never touches a
 * value. Formats: docs/format.md, "Properties and secret formats".
 *
 * <p>Cyrus's own properties keep Cyrus's formats. sasldb4j's additions all start with
 * {@link #PREFIX} {@code sasldb4j.}: Cyrus tools treat them as ordinary application properties
 * ({@code sasldblistusers2} lists them, libsasl never requests them), and one prefix makes them
 * easy to find, copy or strip.
 */
public final class SecretProperties {
    /** Cyrus: the plaintext password (docs/reference/cyrus-sasldb.md §1.4). */
    public static final String USER_PASSWORD = "userPassword";
    /** Cyrus: one RFC 5803 SCRAM value (docs/reference/cyrus-sasldb.md §1.5). sasldb4j writes SCRAM-SHA-1 here. */
    public static final String AUTH_PASSWORD = "authPassword";
    /** Cyrus legacy: salted MD5, 33 bytes (read only). */
    public static final String CMUSASLSECRET_PLAIN = "cmusaslsecretPLAIN";
    /** Cyrus legacy: CRAM-MD5 HMAC context, 32 bytes (read only). */
    public static final String CMUSASLSECRET_CRAM_MD5 = "cmusaslsecretCRAM-MD5";
    /** Cyrus legacy: DIGEST-MD5 HA1, 16 bytes (not used for verification). */
    public static final String CMUSASLSECRET_DIGEST_MD5 = "cmusaslsecretDIGEST-MD5";
    /** Cyrus: OTP state (a secret, not derived from the login password). */
    public static final String CMUSASLSECRET_OTP = "cmusaslsecretOTP";
    /** Cyrus: SRP verifier. */
    public static final String CMUSASLSECRET_SRP = "cmusaslsecretSRP";

    /** The prefix of every property sasldb4j adds. */
    public static final String PREFIX = "sasldb4j.";
    /** Argon2id PHC string, Dovecot form {@code {ARGON2ID}$argon2id$v=19$m=..,t=..,p=..$salt$hash}. */
    public static final String ARGON2ID = PREFIX + "argon2id";
    /** SCRAM-SHA-256 stored keys, Dovecot form {@code {SCRAM-SHA-256}<iter>,<salt>,<StoredKey>,<ServerKey>}. */
    public static final String SCRAM_SHA_256 = PREFIX + "scram-sha-256";
    /** CRAM-MD5 HMAC context, Dovecot form {@code {CRAM-MD5}<64 hex>} (opt-in: password-equivalent). */
    public static final String CRAM_MD5 = PREFIX + "cram-md5";
    /**
     * Account-disabled mark. Its presence, with any value, disables the account for sasldb4j; the
     * secrets stay so {@code --enable} restores the account unchanged. Value written: {@code
     * disabled <ISO-8601 UTC instant>}, informational only. libsasl ignores it.
     */
    public static final String DISABLED = PREFIX + "disabled";

    /**
     * Properties derived from the login password. A password change must rewrite or delete every
     * one of them, so that no secret of the old password survives it; {@link PasswordVerifier}
     * also requires all hashed secrets present to agree. OTP and SRP count: Cyrus's
     * {@code sasl_setpass} derives them from the same password.
     */
    public static final Set<String> PASSWORD_PROPERTIES = Set.of(USER_PASSWORD, AUTH_PASSWORD,
            CMUSASLSECRET_PLAIN, CMUSASLSECRET_CRAM_MD5, CMUSASLSECRET_DIGEST_MD5, CMUSASLSECRET_OTP,
            CMUSASLSECRET_SRP, ARGON2ID, SCRAM_SHA_256, CRAM_MD5);

    /** Every property whose value is secret: never print these values. */
    public static final Set<String> SECRET_PROPERTIES = Set.of(USER_PASSWORD, AUTH_PASSWORD,
            CMUSASLSECRET_PLAIN, CMUSASLSECRET_CRAM_MD5, CMUSASLSECRET_DIGEST_MD5, CMUSASLSECRET_OTP,
            CMUSASLSECRET_SRP, ARGON2ID, SCRAM_SHA_256, CRAM_MD5);

    private SecretProperties() {}

    /**
     * What secrets a user has, for listings such as {@code sasldblistusers --json}.
     *
     * @param schemes scheme names in record order: {@code plaintext}, {@code argon2id}, {@code
     *     scram-sha-256}, the {@code authPassword} mechanism in lower case (e.g. {@code
     *     scram-sha-1}, or {@code authPassword} if it names none), {@code cram-md5}, or the Cyrus
     *     property name for the other Cyrus secrets
     * @param disabled true if the account carries {@link #DISABLED}
     */
    public record Summary(List<String> schemes, boolean disabled) {
        public Summary {
            schemes = List.copyOf(schemes);
        }
    }

    /**
     * Summarises records; reads only the first bytes of an {@code authPassword} value (its
     * mechanism name) and no other value.
     */
    public static Summary summarize(List<Entry> records) {
        List<String> schemes = new ArrayList<>();
        boolean disabled = false;
        for (Entry e : records) {
            String p = e.property();
            switch (p) {
                case USER_PASSWORD -> schemes.add("plaintext");
                case ARGON2ID -> schemes.add("argon2id");
                case SCRAM_SHA_256 -> schemes.add("scram-sha-256");
                case CRAM_MD5 -> schemes.add("cram-md5");
                case AUTH_PASSWORD -> schemes.add(authPasswordMechanism(e));
                case DISABLED -> disabled = true;
                default -> {
                    if (SECRET_PROPERTIES.contains(p)) {
                        schemes.add(p);
                    }
                }
            }
        }
        return new Summary(schemes, disabled);
    }

    /** The value sasldb4j writes under {@link #DISABLED}. */
    public static byte[] disabledValue(Instant when) {
        return ("disabled " + when.truncatedTo(ChronoUnit.SECONDS)).getBytes(StandardCharsets.US_ASCII);
    }

    private static String authPasswordMechanism(Entry e) {
        byte[] v = e.value();
        try {
            int start = 0;
            while (start < v.length && v[start] == ' ') {
                start++;
            }
            int end = start;
            while (end < v.length && end - start < 16 && v[end] != '$' && v[end] != ' ') {
                end++;
            }
            String mech = new String(v, start, end - start, StandardCharsets.ISO_8859_1);
            return ScramVariant.ofMechanism(mech).map(x -> x.mechanism().toLowerCase(java.util.Locale.ROOT))
                    .orElse(AUTH_PASSWORD);
        } finally {
            Wipe.bytes(v);
        }
    }
}
