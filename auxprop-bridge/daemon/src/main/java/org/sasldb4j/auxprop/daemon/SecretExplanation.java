package org.sasldb4j.auxprop.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.secret.MalformedSecretException;
import org.sasldb4j.store.secret.MechanismSecrets;
import org.sasldb4j.store.secret.PasswordVerifier;
import org.sasldb4j.store.secret.ScramKeys;
import org.sasldb4j.store.secret.ScramVariant;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretScheme;
import org.sasldb4j.store.secret.SecretSchemes;
import org.sasldb4j.store.secret.Verification;
import org.sasldb4j.store.secret.Wipe;

/**
 * Which of a user's stored secrets serve a login with a mechanism, and why a failed login
 * failed, for {@code sasldb-authd test-login --store}: the rules of {@link PasswordVerifier} and
 * {@link MechanismSecrets} (the ones the daemon follows) applied one secret at a time, so the
 * administrator learns the property names (never their values).
 *
 * <p>Security: an administrator tool over a store it may read; it tells a wrong password from a
 * disabled account, which the daemon never tells a client. Values are wiped by the caller.
 */
record SecretExplanation(List<String> serving, String failure) {

    /** Secrets PLAIN and LOGIN check when there is no {@code userPassword}, in the verifier's order. */
    private static final List<String> HASHED = List.of(SecretProperties.ARGON2ID, SecretProperties.SCRAM_SHA_256,
            SecretProperties.AUTH_PASSWORD, SecretProperties.CRAM_MD5, SecretProperties.CMUSASLSECRET_CRAM_MD5,
            SecretProperties.CMUSASLSECRET_PLAIN);

    SecretExplanation {
        serving = List.copyOf(serving);
    }

    /**
     * Explains a login of {@code records}' user with {@code mechanism} and {@code password}.
     *
     * @param records all the user's records (possibly none: unknown user); not modified
     * @param password the password tried; not modified, not retained
     */
    static SecretExplanation of(String mechanism, List<Entry> records, byte[] password) {
        if (records.isEmpty()) {
            return new SecretExplanation(List.of(), "unknown user: the store has no records for this user@realm");
        }
        List<String> stored = secretsOf(records);
        if (stored.isEmpty()) {
            return new SecretExplanation(List.of(), "unknown user: the user has records but no password secret");
        }
        boolean plaintextMech = mechanism.equals("PLAIN") || mechanism.equals("LOGIN");
        SecretExplanation e = plaintextMech ? password(records, password) : challengeResponse(mechanism, records);
        if (PasswordVerifier.isDisabled(records)) {
            String right = plaintextMech && e.failure == null ? " (the password is right)"
                    : plaintextMech ? " (and the password is wrong)" : "";
            return new SecretExplanation(List.of(), "disabled account" + right + "; saslpasswd --enable allows it");
        }
        return e;
    }

    /** PLAIN and LOGIN: {@code userPassword} as Cyrus checks it, else every hashed secret must match. */
    private static SecretExplanation password(List<Entry> records, byte[] password) {
        List<String> order = value(records, SecretProperties.USER_PASSWORD) != null
                ? List.of(SecretProperties.USER_PASSWORD, SecretProperties.CMUSASLSECRET_PLAIN) : HASHED;
        List<String> matched = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        List<String> malformed = new ArrayList<>();
        for (String p : order) {
            byte[] v = value(records, p);
            if (v == null) {
                continue;
            }
            try {
                SecretScheme scheme = SecretSchemes.forProperty(p).orElseThrow();
                Verification r = scheme.verify(password, v);
                (r.matches() ? matched : wrong).add(p);
            } catch (MalformedSecretException e) {
                malformed.add(p);
            } finally {
                Wipe.bytes(v);
            }
        }
        boolean cyrus = order.get(0).equals(SecretProperties.USER_PASSWORD);
        boolean ok = cyrus ? !matched.isEmpty() : !matched.isEmpty() && wrong.isEmpty();
        if (ok) {
            return new SecretExplanation(matched, null);
        }
        if (matched.isEmpty() && wrong.isEmpty()) {
            return new SecretExplanation(List.of(), "malformed stored secret: " + String.join(", ", malformed)
                    + " cannot be read; set the password again with saslpasswd");
        }
        if (!matched.isEmpty()) {
            return new SecretExplanation(List.of(), "wrong password for " + String.join(", ", wrong) + " although "
                    + String.join(", ", matched) + " matches: the secrets disagree (a tool changed only some);"
                    + " set the password again with saslpasswd");
        }
        return new SecretExplanation(List.of(), "wrong password (checked " + String.join(", ", wrong)
                + (malformed.isEmpty() ? "" : "; malformed, skipped: " + String.join(", ", malformed)) + ")");
    }

    /** CRAM-MD5, DIGEST-MD5, SCRAM: the one secret the mechanism's server takes, if any. */
    private static SecretExplanation challengeResponse(String mechanism, List<Entry> records) {
        List<String> candidates = switch (mechanism) {
            case "CRAM-MD5" -> List.of(SecretProperties.USER_PASSWORD, SecretProperties.CRAM_MD5,
                    SecretProperties.CMUSASLSECRET_CRAM_MD5);
            case "SCRAM-SHA-256" -> List.of(SecretProperties.USER_PASSWORD, SecretProperties.SCRAM_SHA_256,
                    SecretProperties.AUTH_PASSWORD);
            case "SCRAM-SHA-1" -> List.of(SecretProperties.USER_PASSWORD, SecretProperties.AUTH_PASSWORD);
            default -> List.of(SecretProperties.USER_PASSWORD);
        };
        for (String p : candidates) {
            Entry e = entry(records, p);
            if (e == null) {
                continue;
            }
            if (serves(mechanism, e)) {
                return new SecretExplanation(List.of(p), "wrong password (checked " + p + ")");
            }
            if (p.equals(SecretProperties.USER_PASSWORD)) {
                break; // Cyrus: a userPassword hides every other secret, even an empty one
            }
        }
        return new SecretExplanation(List.of(), "no secret able to serve " + mechanism + " (the user has "
                + String.join(", ", secretsOf(records)) + "); use PLAIN or LOGIN, or set the password again with"
                + " saslpasswd --schemes naming a scheme " + mechanism + " can use");
    }

    /** True if {@code e} alone gives the mechanism's server a usable secret. */
    private static boolean serves(String mechanism, Entry e) {
        List<Entry> one = List.of(e);
        switch (mechanism) {
            case "CRAM-MD5":
                Optional<org.sasldb4j.store.secret.CramMd5Context> c = MechanismSecrets.cramMd5(one);
                c.ifPresent(org.sasldb4j.store.secret.CramMd5Context::wipe);
                return c.isPresent();
            case "SCRAM-SHA-1":
            case "SCRAM-SHA-256":
                ScramVariant v = ScramVariant.ofMechanism(mechanism).orElseThrow();
                Optional<ScramKeys> k = new MechanismSecrets().scramKeys(
                        org.sasldb4j.store.UserId.ofBytes(e.authidBytes(), e.realmBytes()), one, v);
                k.ifPresent(ScramKeys::wipe);
                return k.isPresent();
            default:
                Optional<char[]> pw = MechanismSecrets.digestMd5Password(one);
                pw.ifPresent(Wipe::chars);
                return pw.isPresent();
        }
    }

    /** The secret properties the user has, in record order. */
    private static List<String> secretsOf(List<Entry> records) {
        List<String> out = new ArrayList<>();
        for (Entry e : records) {
            if (SecretProperties.SECRET_PROPERTIES.contains(e.property()) && !out.contains(e.property())) {
                out.add(e.property());
            }
        }
        return out;
    }

    private static Entry entry(List<Entry> records, String property) {
        for (Entry e : records) {
            if (e.property().equals(property)) {
                return e;
            }
        }
        return null;
    }

    /** A copy of the property's value the caller wipes, or null. */
    private static byte[] value(List<Entry> records, String property) {
        Entry e = entry(records, property);
        return e == null ? null : e.value();
    }
}
