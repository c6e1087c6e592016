package org.sasldb4j.store.secret;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.UserId;

/**
 * Checks a password against whatever secrets one user's records hold: what PLAIN and LOGIN need.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>No secret among the records ({@code userPassword}, {@code cmusaslsecretPLAIN}, {@code
 *       authPassword}, {@code cmusaslsecretCRAM-MD5}, or a {@code sasldb4j.} secret): the same
 *       work as for a user stored under the policy is done on dummy secrets, then {@link
 *       Outcome#NO_SUCH_USER}. Also {@link #verifyUnknownUser}.
 *   <li>{@code userPassword} present: Cyrus {@code sasl_checkpass} semantics
 *       (docs/reference/cyrus-sasldb.md §11.4). Plaintext comparison; if that fails and {@code cmusaslsecretPLAIN} exists, that
 *       is tried. Other secrets are ignored, as libsasl ignores them: a Cyrus tool that changed
 *       the password rewrote {@code userPassword} but not sasldb4j's properties.
 *   <li>Otherwise every hashed secret present and well-formed is checked (Argon2id first, then
 *       SCRAM, CRAM-MD5 contexts, {@code cmusaslsecretPLAIN}), all of them, without stopping
 *       early; the password matches only if <em>all</em> match. Secrets left stale by a tool
 *       that rewrote only some of them therefore fail closed instead of keeping an old password
 *       valid. Malformed values are skipped, as Cyrus skips a bad {@code authPassword}; a user
 *       with nothing but malformed values gets {@link Outcome#MISMATCH}.
 *   <li>A match on an account carrying {@link SecretProperties#DISABLED} gives {@link
 *       Outcome#DISABLED}. A wrong password on a disabled account gives {@link Outcome#MISMATCH}:
 *       the disabled state is revealed only to someone who knows the password.
 * </ol>
 *
 * <p>{@link Outcome#MATCH_NEEDS_REHASH}: a secret of a kind in the policy was made with weaker
 * parameters than the policy's, or a legacy Cyrus secret matched. Plaintext never needs a rehash:
 * whether to keep it is a storage decision, not a verification one.
 *
 * <p><b>Timing.</b> An unknown user costs one verification of the dummy secrets the policy
 * would store (with {@link SecretSet#HASHED}: one Argon2id and two 4096-round PBKDF2). A known
 * user costs what their own secrets cost, so in a store that mixes plaintext and hashed users the
 * scheme, not the existence, is observable; keep stores uniform.
 *
 * <p><b>Security:</b> the caller owns and wipes the password; every value copy made here is
 * wiped. Thread-safe.
 */
public final class PasswordVerifier {
    /** The result for a user. */
    public enum Outcome {
        MATCH,
        MATCH_NEEDS_REHASH,
        MISMATCH,
        NO_SUCH_USER,
        /** Right password, account disabled. */
        DISABLED;

        /** True for {@link #MATCH} and {@link #MATCH_NEEDS_REHASH} only. */
        public boolean authenticated() {
            return this == MATCH || this == MATCH_NEEDS_REHASH;
        }
    }

    /** The hashed secrets, in checking order (most expensive first, so it dominates timing). */
    private static final List<String> HASHED_ORDER = List.of(SecretProperties.ARGON2ID,
            SecretProperties.SCRAM_SHA_256, SecretProperties.AUTH_PASSWORD, SecretProperties.CRAM_MD5,
            SecretProperties.CMUSASLSECRET_CRAM_MD5, SecretProperties.CMUSASLSECRET_PLAIN);

    private final SecretSet policy;
    private final Map<String, SecretScheme> schemes = new HashMap<>();
    private final List<Entry> dummy;

    /**
     * A verifier judging rehash needs against {@code policy}; builds the dummy secrets now (one
     * encoding of a random password with every scheme of the policy).
     */
    public PasswordVerifier(SecretSet policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
        for (String p : HASHED_ORDER) {
            schemes.put(p, SecretSchemes.forProperty(p).orElseThrow());
        }
        schemes.put(SecretProperties.USER_PASSWORD, SecretSchemes.plaintext());
        for (SecretScheme s : policy.schemes()) {
            schemes.put(s.property(), s);
        }
        char[] random = new char[24];
        byte[] r = Bytes.randomBytes(24);
        for (int i = 0; i < random.length; i++) {
            random[i] = (char) ('a' + (r[i] & 0x0f));
        }
        try {
            this.dummy = List.copyOf(policy.encode(UserId.of("sasldb4j-dummy", ""), random));
        } finally {
            Wipe.chars(random);
            Wipe.bytes(r);
        }
    }

    public SecretSet policy() {
        return policy;
    }

    /** {@link #verify(List, byte[])} with the password's UTF-8 bytes. */
    public Outcome verify(List<Entry> records, char[] password) {
        byte[] pw = Bytes.utf8OrNull(password);
        try {
            // Not valid Unicode: cannot match anything stored as UTF-8; still spend the time.
            return verify(records, pw == null ? new byte[0] : pw);
        } finally {
            Wipe.bytes(pw);
        }
    }

    /**
     * Verifies {@code password} (raw bytes, as SASL PLAIN carries them) against one user's
     * records.
     *
     * @param records all records of one user (any order; non-secret properties are ignored)
     * @throws IllegalArgumentException if the records belong to more than one user
     */
    public Outcome verify(List<Entry> records, byte[] password) {
        checkOneUser(records);
        Map<String, byte[]> values = new HashMap<>();
        boolean disabled = false;
        try {
            for (Entry e : records) {
                String p = e.property();
                if (p.equals(SecretProperties.DISABLED)) {
                    disabled = true;
                } else if (p.equals(SecretProperties.USER_PASSWORD) || HASHED_ORDER.contains(p)) {
                    Wipe.bytes(values.put(p, e.value())); // a duplicate (not from a store) must not leak
                }
            }
            if (values.isEmpty()) {
                verifyUnknownUser(password);
                return Outcome.NO_SUCH_USER;
            }
            Outcome result = values.containsKey(SecretProperties.USER_PASSWORD)
                    ? checkpass(values, password)
                    : allHashed(values, password);
            return disabled && result.authenticated() ? Outcome.DISABLED : result;
        } finally {
            values.values().forEach(Wipe::bytes);
        }
    }

    /** Spends the time of a verification against the policy's dummy secrets; always {@link Outcome#NO_SUCH_USER}. */
    public Outcome verifyUnknownUser(byte[] password) {
        Map<String, byte[]> values = new HashMap<>();
        try {
            for (Entry e : dummy) {
                values.put(e.property(), e.value());
            }
            if (values.containsKey(SecretProperties.USER_PASSWORD)) {
                checkpass(values, password);
            } else {
                allHashed(values, password);
            }
            return Outcome.NO_SUCH_USER;
        } finally {
            values.values().forEach(Wipe::bytes);
        }
    }

    /** {@link #verifyUnknownUser(byte[])} for a {@code char[]} password. */
    public Outcome verifyUnknownUser(char[] password) {
        byte[] pw = Bytes.utf8OrNull(password);
        try {
            return verifyUnknownUser(pw == null ? new byte[0] : pw);
        } finally {
            Wipe.bytes(pw);
        }
    }

    /** True if the records carry the {@link SecretProperties#DISABLED} mark. */
    public static boolean isDisabled(List<Entry> records) {
        for (Entry e : records) {
            if (e.property().equals(SecretProperties.DISABLED)) {
                return true;
            }
        }
        return false;
    }

    private Outcome checkpass(Map<String, byte[]> values, byte[] password) {
        Verification v = schemes.get(SecretProperties.USER_PASSWORD)
                .verify(password, values.get(SecretProperties.USER_PASSWORD));
        byte[] legacy = values.get(SecretProperties.CMUSASLSECRET_PLAIN);
        if (!v.matches() && legacy != null) {
            try {
                v = schemes.get(SecretProperties.CMUSASLSECRET_PLAIN).verify(password, legacy);
            } catch (MalformedSecretException e) {
                v = Verification.MISMATCH; // Cyrus compares 33 bytes; a wrong length never matches
            }
        }
        return toOutcome(v);
    }

    private Outcome allHashed(Map<String, byte[]> values, byte[] password) {
        int checked = 0;
        boolean all = true;
        boolean rehash = false;
        for (String p : HASHED_ORDER) {
            byte[] stored = values.get(p);
            if (stored == null) {
                continue;
            }
            Verification v;
            try {
                v = schemes.get(p).verify(password, stored);
            } catch (MalformedSecretException e) {
                continue;
            }
            checked++;
            all &= v.matches();
            rehash |= v == Verification.MATCH_NEEDS_REHASH && rehashApplies(p);
        }
        if (checked == 0 || !all) {
            return Outcome.MISMATCH;
        }
        return rehash ? Outcome.MATCH_NEEDS_REHASH : Outcome.MATCH;
    }

    /** Rehash only what the policy stores, plus legacy Cyrus secrets, which always should go. */
    private boolean rehashApplies(String property) {
        return policy.properties().contains(property)
                || property.equals(SecretProperties.CMUSASLSECRET_PLAIN)
                || property.equals(SecretProperties.CMUSASLSECRET_CRAM_MD5);
    }

    private static Outcome toOutcome(Verification v) {
        return switch (v) {
            case MATCH -> Outcome.MATCH;
            case MATCH_NEEDS_REHASH -> Outcome.MATCH_NEEDS_REHASH;
            case MISMATCH -> Outcome.MISMATCH;
        };
    }

    private static void checkOneUser(List<Entry> records) {
        if (records.isEmpty()) {
            return;
        }
        byte[] a = records.get(0).authidBytes();
        byte[] r = records.get(0).realmBytes();
        for (Entry e : records) {
            if (!Arrays.equals(a, e.authidBytes()) || !Arrays.equals(r, e.realmBytes())) {
                throw new IllegalArgumentException("records of more than one user");
            }
        }
    }

    /** Names the policy only. */
    @Override
    public String toString() {
        return "PasswordVerifier[" + policy + "]";
    }

    /** For tests: the dummy records' properties, never their values. */
    List<String> dummyProperties() {
        List<String> out = new ArrayList<>();
        dummy.forEach(e -> out.add(e.property()));
        return out;
    }
}
