package org.sasldb4j.store.secret;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.UserId;

/**
 * The secrets challenge-response mechanisms need, from whatever a user's records hold, in Cyrus's
 * order of preference ({@code userPassword} wins when present, cyrus-sasldb.md §1.5 and §1.7).
 *
 * <ul>
 *   <li>SCRAM: {@code userPassword} (keys derived on the fly, see below), else {@code
 *       sasldb4j.scram-sha-256} for SCRAM-SHA-256, else {@code authPassword} if it holds this
 *       variant.
 *   <li>CRAM-MD5: {@code userPassword}, else {@code sasldb4j.cram-md5}, else legacy {@code
 *       cmusaslsecretCRAM-MD5}.
 * </ul>
 *
 * Malformed values are skipped (Cyrus: "No valid secret found"), giving an empty result.
 *
 * <p>SCRAM keys derived from a plaintext use a salt that is stable per user for the life of this
 * object ({@code HMAC-SHA-256(process key, authid NUL realm)}, 16 bytes), as Cyrus does with its
 * per-process key, so repeated attempts see the same salt. {@link #dummyScramKeys} makes keys for
 * unknown users with the same kind of salt, so a SCRAM server's first message does not reveal
 * whether the user exists.
 *
 * <p><b>Security:</b> returned keys and contexts are secrets: wipe them when done.
 * Thread-safe.
 */
public final class MechanismSecrets {
    private final byte[] processKey = Bytes.randomBytes(32);
    private final int iterations;

    /** Derives keys from plaintext with {@link SecretSchemes#DEFAULT_SCRAM_ITERATIONS}. */
    public MechanismSecrets() {
        this(SecretSchemes.DEFAULT_SCRAM_ITERATIONS);
    }

    /**
     * @param iterations SCRAM iteration count for keys derived from plaintext (Cyrus option
     *     {@code scram_iteration_counter})
     */
    public MechanismSecrets(int iterations) {
        if (iterations < 4096 || iterations > ScramKeys.MAX_ITERATIONS) {
            throw new IllegalArgumentException("SCRAM iteration count must be in [4096, " + ScramKeys.MAX_ITERATIONS + "]");
        }
        this.iterations = iterations;
    }

    /** SCRAM keys of {@code variant} for the user whose records these are, if any secret serves. */
    public Optional<ScramKeys> scramKeys(List<Entry> records, ScramVariant variant) {
        Entry plain = find(records, SecretProperties.USER_PASSWORD);
        if (plain != null) {
            byte[] pw = plain.value();
            byte[] normalized = null;
            try {
                if (pw.length == 0) {
                    return Optional.empty(); // Cyrus: "empty secret"
                }
                normalized = SaslPrep.normalizeForScram(pw);
                return Optional.of(ScramKeys.deriveFromBytes(variant, normalized, salt(plain.user()), iterations));
            } finally {
                Bytes.wipe(pw, normalized);
            }
        }
        if (variant == ScramVariant.SHA_256) {
            Optional<ScramKeys> own = parse(find(records, SecretProperties.SCRAM_SHA_256), false, variant);
            if (own.isPresent()) {
                return own;
            }
        }
        return parse(find(records, SecretProperties.AUTH_PASSWORD), true, variant);
    }

    /**
     * Keys for a user that does not exist: the salt is derived like a real plaintext user's, the
     * keys are random, so the exchange proceeds and fails at the proof.
     */
    public ScramKeys dummyScramKeys(UserId user, ScramVariant variant) {
        byte[] stored = Bytes.randomBytes(variant.hashLength());
        byte[] server = Bytes.randomBytes(variant.hashLength());
        try {
            return ScramKeys.of(variant, salt(user), iterations, stored, server);
        } finally {
            Bytes.wipe(stored, server);
        }
    }

    /** The CRAM-MD5 HMAC context for the user whose records these are, if any secret serves. */
    public static Optional<CramMd5Context> cramMd5(List<Entry> records) {
        Entry plain = find(records, SecretProperties.USER_PASSWORD);
        if (plain != null) {
            byte[] pw = plain.value();
            try {
                return pw.length == 0 ? Optional.empty() : Optional.of(CramMd5Context.fromKey(pw));
            } finally {
                Bytes.wipe(pw);
            }
        }
        for (String p : List.of(SecretProperties.CRAM_MD5, SecretProperties.CMUSASLSECRET_CRAM_MD5)) {
            Entry e = find(records, p);
            if (e == null) {
                continue;
            }
            byte[] v = e.value();
            try {
                return Optional.of(p.equals(SecretProperties.CRAM_MD5)
                        ? CramMd5Context.fromDovecot(v) : CramMd5Context.fromCyrusLegacy(v));
            } catch (MalformedSecretException ignored) {
                // try the next form, as Cyrus skips an unusable secret
            } finally {
                Bytes.wipe(v);
            }
        }
        return Optional.empty();
    }

    private static Optional<ScramKeys> parse(Entry e, boolean authPassword, ScramVariant variant) {
        if (e == null) {
            return Optional.empty();
        }
        byte[] v = e.value();
        try {
            ScramKeys k = authPassword ? ScramFormats.parseAuthPassword(v) : ScramFormats.parseDovecot(v);
            if (k.variant() != variant) {
                k.wipe();
                return Optional.empty();
            }
            return Optional.of(k);
        } catch (MalformedSecretException ignored) {
            return Optional.empty();
        } finally {
            Bytes.wipe(v);
        }
    }

    private byte[] salt(UserId user) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(processKey, "HmacSHA256"));
            mac.update(user.authidBytes());
            mac.update((byte) 0);
            mac.update(user.realmBytes());
            byte[] full = mac.doFinal();
            byte[] salt = Arrays.copyOf(full, 16);
            Bytes.wipe(full);
            return salt;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static Entry find(List<Entry> records, String property) {
        for (Entry e : records) {
            if (e.property().equals(property)) {
                return e;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "MechanismSecrets[i=" + iterations + "]";
    }
}
