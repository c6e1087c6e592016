package org.sasldb4j.auxprop;

import java.util.List;
import java.util.Optional;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.secret.CramMd5Context;
import org.sasldb4j.store.secret.MalformedSecretException;
import org.sasldb4j.store.secret.MechanismSecrets;
import org.sasldb4j.store.secret.ScramKeys;
import org.sasldb4j.store.secret.ScramVariant;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretScheme;
import org.sasldb4j.store.secret.SecretSchemes;
import org.sasldb4j.store.secret.Wipe;

/**
 * Why a user's records cannot serve a mechanism, whatever the password: the rule of
 * {@link MechanismSecrets} (docs/format.md, "Secrets for mechanisms") read backwards, for the log.
 * Parses what it must to tell a missing secret from a malformed one, and nothing more (no key
 * derivation, no hash of a password).
 */
final class SecretStatus {
    /** The properties a password check (PLAIN, LOGIN, saslauthd) can use, besides {@code userPassword}. */
    private static final List<String> VERIFIABLE = List.of(SecretProperties.ARGON2ID, SecretProperties.SCRAM_SHA_256,
            SecretProperties.AUTH_PASSWORD, SecretProperties.CRAM_MD5, SecretProperties.CMUSASLSECRET_CRAM_MD5,
            SecretProperties.CMUSASLSECRET_PLAIN);

    private SecretStatus() {}

    /**
     * @param records one user's records, non-empty (an unknown user is the caller's case)
     * @param mechanism an upper-case SASL mechanism name; anything else is treated as a password check
     * @return empty if a secret serves the mechanism, else why none does
     */
    static Optional<LoginDiagnosis.Reason> whyNot(List<Entry> records, String mechanism) {
        if (MechanismSecrets.isDisabled(records)) {
            return Optional.of(LoginDiagnosis.Reason.DISABLED);
        }
        if (has(records, SecretProperties.USER_PASSWORD)) {
            // userPassword wins whenever present; an empty one serves nothing ("empty secret").
            Optional<byte[]> plain = MechanismSecrets.plaintext(records);
            plain.ifPresent(Wipe::bytes);
            return plain.isPresent() ? Optional.empty() : Optional.of(LoginDiagnosis.Reason.NO_SECRET_FOR_MECHANISM);
        }
        return switch (mechanism) {
            case "CRAM-MD5" -> cram(records);
            case "DIGEST-MD5" -> Optional.of(LoginDiagnosis.Reason.NO_SECRET_FOR_MECHANISM);
            case "SCRAM-SHA-1" -> scram(records, ScramVariant.SHA_1);
            case "SCRAM-SHA-256" -> scram(records, ScramVariant.SHA_256);
            default -> password(records);
        };
    }

    private static Optional<LoginDiagnosis.Reason> cram(List<Entry> records) {
        Optional<CramMd5Context> c = MechanismSecrets.cramMd5(records);
        if (c.isPresent()) {
            c.get().wipe();
            return Optional.empty();
        }
        return malformedIfPresent(records, SecretProperties.CRAM_MD5, SecretProperties.CMUSASLSECRET_CRAM_MD5);
    }

    private static Optional<LoginDiagnosis.Reason> scram(List<Entry> records, ScramVariant variant) {
        boolean malformed = false;
        List<String> properties = variant == ScramVariant.SHA_256
                ? List.of(SecretProperties.SCRAM_SHA_256, SecretProperties.AUTH_PASSWORD)
                : List.of(SecretProperties.AUTH_PASSWORD);
        for (String p : properties) {
            if (!has(records, p)) {
                continue;
            }
            byte[] v = value(records, p);
            try {
                ScramKeys k = p.equals(SecretProperties.AUTH_PASSWORD)
                        ? SecretSchemes.parseAuthPassword(v) : SecretSchemes.parseDovecotScram(v);
                boolean serves = k.variant() == variant;
                k.wipe();
                if (serves) {
                    return Optional.empty();
                }
            } catch (MalformedSecretException e) {
                malformed = true;
            } finally {
                Wipe.bytes(v);
            }
        }
        return Optional.of(malformed ? LoginDiagnosis.Reason.MALFORMED_SECRET
                : LoginDiagnosis.Reason.NO_SECRET_FOR_MECHANISM);
    }

    /** A password check uses any verifiable secret that parses. */
    private static Optional<LoginDiagnosis.Reason> password(List<Entry> records) {
        boolean present = false;
        for (String p : VERIFIABLE) {
            if (!has(records, p)) {
                continue;
            }
            byte[] v = value(records, p);
            present = true;
            try {
                SecretScheme s = SecretSchemes.forProperty(p).orElseThrow();
                s.needsRehash(v); // parses the value
                return Optional.empty();
            } catch (MalformedSecretException e) {
                // try the next, as the verifier does
            } finally {
                Wipe.bytes(v);
            }
        }
        return Optional.of(present ? LoginDiagnosis.Reason.MALFORMED_SECRET
                : LoginDiagnosis.Reason.NO_SECRET_FOR_MECHANISM);
    }

    private static Optional<LoginDiagnosis.Reason> malformedIfPresent(List<Entry> records, String... properties) {
        for (String p : properties) {
            if (has(records, p)) {
                return Optional.of(LoginDiagnosis.Reason.MALFORMED_SECRET);
            }
        }
        return Optional.of(LoginDiagnosis.Reason.NO_SECRET_FOR_MECHANISM);
    }

    private static boolean has(List<Entry> records, String property) {
        for (Entry e : records) {
            if (e.property().equals(property)) {
                return true;
            }
        }
        return false;
    }

    /** A copy of the first value of {@code property}, which {@link #has} found: the caller wipes it. */
    private static byte[] value(List<Entry> records, String property) {
        for (Entry e : records) {
            if (e.property().equals(property)) {
                return e.value();
            }
        }
        throw new IllegalStateException("no " + property);
    }
}
