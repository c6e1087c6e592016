package org.sasldb4j.store.secret;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.UserId;

/**
 * Which secrets to store for a password, with which parameters: the policy behind
 * {@code saslpasswd} and {@link PasswordVerifier}'s rehash decisions.
 *
 * <p>{@link #HASHED} (what {@code saslpasswd -n} stores) = Argon2id + SCRAM-SHA-1 (in Cyrus's
 * {@code authPassword}, so libsasl's own SCRAM-SHA-1 can use it) + SCRAM-SHA-256. {@link
 * #PLAINTEXT} is what Cyrus stores. CRAM-MD5 contexts are never in a default set: they are
 * password-equivalent for CRAM-MD5.
 *
 * <p>Immutable.
 */
public final class SecretSet {
    /** A secret that can be stored; {@link #token()} is its command-line name. */
    public enum Kind {
        PLAINTEXT("plaintext"),
        ARGON2ID("argon2id"),
        SCRAM_SHA_1("scram-sha-1"),
        SCRAM_SHA_256("scram-sha-256"),
        CRAM_MD5("cram-md5");

        private final String token;

        Kind(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }
    }

    /** Argon2id + SCRAM-SHA-1 + SCRAM-SHA-256, current parameters. */
    public static final SecretSet HASHED = of(Kind.ARGON2ID, Kind.SCRAM_SHA_1, Kind.SCRAM_SHA_256);
    /** The Cyrus default: {@code userPassword} only. */
    public static final SecretSet PLAINTEXT = of(Kind.PLAINTEXT);

    private final Set<Kind> kinds;
    private final Argon2Parameters argon2;
    private final int scramIterations;

    private SecretSet(Set<Kind> kinds, Argon2Parameters argon2, int scramIterations) {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("a secret set needs at least one scheme");
        }
        if (scramIterations < 4096 || scramIterations > ScramKeys.MAX_ITERATIONS) {
            throw new IllegalArgumentException("SCRAM iteration count must be in [4096, " + ScramKeys.MAX_ITERATIONS + "]");
        }
        this.kinds = Collections.unmodifiableSet(EnumSet.copyOf(kinds));
        this.argon2 = argon2;
        this.scramIterations = scramIterations;
    }

    /** A set with current default parameters. */
    public static SecretSet of(Kind first, Kind... more) {
        EnumSet<Kind> k = EnumSet.of(first, more);
        return new SecretSet(k, Argon2Parameters.CURRENT, SecretSchemes.DEFAULT_SCRAM_ITERATIONS);
    }

    /**
     * Parses a comma-separated list of {@link Kind#token()}s (case-insensitive, spaces allowed),
     * e.g. {@code argon2id,scram-sha-256}; {@code hashed} stands for {@link #HASHED}.
     *
     * @throws IllegalArgumentException naming the unknown token
     */
    public static SecretSet parse(String list) {
        EnumSet<Kind> k = EnumSet.noneOf(Kind.class);
        for (String raw : list.split(",", -1)) {
            String t = raw.strip().toLowerCase(Locale.ROOT);
            if (t.equals("hashed")) {
                k.addAll(HASHED.kinds);
                continue;
            }
            Kind found = null;
            for (Kind c : Kind.values()) {
                if (c.token.equals(t)) {
                    found = c;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("unknown secret scheme '" + raw.strip()
                        + "' (known: plaintext, argon2id, scram-sha-1, scram-sha-256, cram-md5, hashed)");
            }
            k.add(found);
        }
        return new SecretSet(k, Argon2Parameters.CURRENT, SecretSchemes.DEFAULT_SCRAM_ITERATIONS);
    }

    public SecretSet withArgon2(Argon2Parameters parameters) {
        return new SecretSet(kinds, parameters, scramIterations);
    }

    /** @throws IllegalArgumentException below 4096 (RFC 7677) or above {@link ScramKeys#MAX_ITERATIONS} */
    public SecretSet withScramIterations(int iterations) {
        return new SecretSet(kinds, argon2, iterations);
    }

    public Set<Kind> kinds() {
        return kinds;
    }

    public boolean contains(Kind kind) {
        return kinds.contains(kind);
    }

    public Argon2Parameters argon2() {
        return argon2;
    }

    public int scramIterations() {
        return scramIterations;
    }

    /** True if any member stores something password-equivalent (plaintext, CRAM-MD5). */
    public boolean passwordEquivalent() {
        return kinds.contains(Kind.PLAINTEXT) || kinds.contains(Kind.CRAM_MD5);
    }

    /** The scheme for one kind with this set's parameters. */
    public SecretScheme scheme(Kind kind) {
        return switch (kind) {
            case PLAINTEXT -> SecretSchemes.plaintext();
            case ARGON2ID -> SecretSchemes.argon2id(argon2);
            case SCRAM_SHA_1 -> SecretSchemes.authPassword(ScramVariant.SHA_1, scramIterations);
            case SCRAM_SHA_256 -> SecretSchemes.scramSha256(scramIterations);
            case CRAM_MD5 -> SecretSchemes.cramMd5();
        };
    }

    /** The schemes, in {@link Kind} order. */
    public List<SecretScheme> schemes() {
        List<SecretScheme> out = new ArrayList<>();
        for (Kind k : kinds) {
            out.add(scheme(k));
        }
        return out;
    }

    /** The property names this set writes. */
    public Set<String> properties() {
        Set<String> out = new LinkedHashSet<>();
        for (SecretScheme s : schemes()) {
            out.add(s.property());
        }
        return Collections.unmodifiableSet(out);
    }

    /**
     * The records to write for {@code user}'s new password, one per scheme.
     *
     * <p>A complete password change also deletes the {@link SecretProperties#PASSWORD_PROPERTIES}
     * not in {@link #properties()}: stale secrets make {@link PasswordVerifier} fail closed.
     *
     * <p><b>Security:</b> the returned entries hold secrets; call {@link Entry#wipe()} on each
     * after writing.
     *
     * @throws IllegalArgumentException if the password is empty, too long, contains NUL or is not
     *     valid Unicode (message never quotes it)
     */
    public List<Entry> encode(UserId user, char[] password) {
        List<Entry> out = new ArrayList<>();
        for (SecretScheme s : schemes()) {
            byte[] value = s.encode(password);
            try {
                out.add(Entry.of(user, s.property(), value));
            } finally {
                Wipe.bytes(value);
            }
        }
        return out;
    }

    /** Comma-separated tokens, e.g. {@code argon2id,scram-sha-1,scram-sha-256}; no secrets. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Kind k : kinds) {
            sb.append(sb.length() == 0 ? "" : ",").append(k.token);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretSet s && kinds.equals(s.kinds) && argon2.equals(s.argon2)
                && scramIterations == s.scramIterations;
    }

    @Override
    public int hashCode() {
        return kinds.hashCode() * 31 + argon2.hashCode() * 7 + scramIterations;
    }
}
