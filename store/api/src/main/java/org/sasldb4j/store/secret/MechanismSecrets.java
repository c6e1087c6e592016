package org.sasldb4j.store.secret;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.UserId;

/**
 * The one rule for which stored secret serves which mechanism, used by the SASL provider, the
 * auxprop bridge and the daemon alike (docs/format.md, "Secrets for mechanisms"):
 *
 * <ul>
 *   <li>PLAIN, LOGIN, saslauthd: any verifiable secret ({@link PasswordVerifier}, not here).
 *   <li>CRAM-MD5: {@code userPassword}, else {@code sasldb4j.cram-md5}, else legacy {@code
 *       cmusaslsecretCRAM-MD5}.
 *   <li>DIGEST-MD5: {@code userPassword} only.
 *   <li>SCRAM-SHA-n: {@code userPassword} (keys derived now), else for SHA-256 {@code
 *       sasldb4j.scram-sha-256}, else {@code authPassword} of that variant.
 * </ul>
 *
 * <p>{@code userPassword} wins whenever it is present, as in every Cyrus release; it counts up to
 * its first NUL (libsasl reads it as a C string), and an empty one serves nothing (Cyrus: "empty
 * secret") without falling back to another property. Everything works on the stored
 * <em>bytes</em>: a legacy non-UTF-8 plaintext is the HMAC key of CRAM-MD5 and the input of
 * SCRAM's {@code Hi()} unchanged (SASLprep applies only to valid UTF-8), as PLAIN compares those
 * same bytes. Malformed stored values are skipped (Cyrus: "No valid secret found").
 *
 * <p><b>SCRAM salts.</b> Keys derived from a plaintext, and decoys, use the salt
 * {@code HMAC-SHA-256(salt key, mechanism NUL authid NUL realm)[0..16)}. With a persistent salt
 * key ({@link ScramSaltKey}) the salt of a plaintext user, a disabled user and an unknown user
 * stays the same across restarts, exactly like the stored salt of a hashed user, and differs
 * between SCRAM-SHA-1 and SCRAM-SHA-256 as two stored values do.
 *
 * <p><b>Equal cost.</b> {@link #scram} always performs exactly one key derivation ({@code Hi()}
 * with the iteration count it announces): the real one for a plaintext user, one over a random
 * password for a user with stored keys, for a disabled user and for an unknown user. So the
 * server-first message costs the same whoever is named. {@link #hiIterations()} counts this work
 * for tests.
 *
 * <p><b>Security:</b> returned keys, contexts and passwords are secrets: wipe them when done.
 * Every value copied out of a record is wiped here. Thread-safe.
 */
public final class MechanismSecrets {
    private final byte[] saltKey;
    private final int iterations;
    private final LongAdder hiIterations = new LongAdder();
    /** Key of the CRAM-MD5 decoy context: random, fixed, so no random bytes are drawn per attempt. */
    private final byte[] cramDecoyKey = randomPassword();
    /** Random StoredKey/ServerKey of SCRAM decoys (never usable, so they need not differ). */
    private final byte[] decoyKey = Bytes.randomBytes(64);

    /** A random salt key for this object's life, {@link SecretSchemes#DEFAULT_SCRAM_ITERATIONS}. */
    public MechanismSecrets() {
        this(ScramSaltKey.random(), SecretSchemes.DEFAULT_SCRAM_ITERATIONS);
    }

    /**
     * @param saltKey the key of plaintext-derived and decoy SCRAM salts
     * @param iterations SCRAM iteration count for keys derived from plaintext and for decoys
     *     (Cyrus option {@code scram_iteration_counter})
     */
    public MechanismSecrets(ScramSaltKey saltKey, int iterations) {
        if (iterations < ScramKeys.MIN_ITERATIONS || iterations > ScramKeys.MAX_ITERATIONS) {
            throw new IllegalArgumentException("SCRAM iteration count outside [" + ScramKeys.MIN_ITERATIONS + ", "
                    + ScramKeys.MAX_ITERATIONS + "]");
        }
        this.saltKey = saltKey.bytes();
        this.iterations = iterations;
    }

    /** What a SCRAM server answers with: keys, and whether they may let the client in. */
    public static final class Scram {
        private final ScramKeys keys;
        private final boolean usable;

        private Scram(ScramKeys keys, boolean usable) {
            this.keys = keys;
            this.usable = usable;
        }

        /** The keys (decoys when not {@link #usable()}): the salt and count go to the client. */
        public ScramKeys keys() {
            return keys;
        }

        /** False for an unknown user, a disabled account, or no secret serving this variant. */
        public boolean usable() {
            return usable;
        }

        public void wipe() {
            keys.wipe();
        }

        @Override
        public String toString() {
            return "Scram[" + keys + "]";
        }
    }

    /**
     * The SCRAM answer for {@code user}, whose records (possibly none) these are. Costs one
     * {@code Hi()} whatever the records hold.
     */
    public Scram scram(UserId user, List<Entry> records, ScramVariant variant) {
        return scram(user, records, List.of(), variant);
    }

    /**
     * {@link #scram(UserId, List, ScramVariant)}, where a user without records (unknown) has
     * {@code standIn} (a dummy user stored under the store's policy) processed instead, so the
     * lookup costs what a typical known user's does; the answer then carries decoy keys with
     * this user's own stable salt, never the stand-in's.
     */
    public Scram scram(UserId user, List<Entry> records, List<Entry> standIn, ScramVariant variant) {
        if (records.isEmpty() && !standIn.isEmpty()) {
            scramOf(UserId.of("sasldb4j-dummy", ""), standIn, variant).wipe();
            byte[] junk = Arrays.copyOf(decoyKey, variant.hashLength());
            byte[] salt = salt(user, variant);
            try {
                return new Scram(ScramKeys.of(variant, salt, iterations, junk, junk), false);
            } finally {
                Wipe.bytes(junk, salt);
            }
        }
        return scramOf(user, records, variant);
    }

    private Scram scramOf(UserId user, List<Entry> records, ScramVariant variant) {
        boolean disabled = isDisabled(records);
        Optional<byte[]> plain = plaintext(records);
        if (plain.isPresent()) {
            byte[] pw = plain.get();
            byte[] normalized = SaslPrep.normalizeForScram(pw);
            try {
                return new Scram(derive(variant, normalized, salt(user, variant), iterations), !disabled);
            } finally {
                Wipe.bytes(pw, normalized);
            }
        }
        Optional<ScramKeys> stored = hasUserPassword(records) ? Optional.empty() : storedScram(records, variant);
        if (stored.isPresent()) {
            ScramKeys k = stored.get();
            burn(variant, k.salt(), k.iterations());
            return new Scram(k, !disabled);
        }
        return new Scram(decoy(user, variant), false);
    }

    /**
     * The SCRAM keys of {@code variant} that serve this user, if any: {@link #scram} without the
     * decoy (same cost).
     */
    public Optional<ScramKeys> scramKeys(UserId user, List<Entry> records, ScramVariant variant) {
        Scram s = scram(user, records, variant);
        if (s.usable()) {
            return Optional.of(s.keys());
        }
        s.wipe();
        return Optional.empty();
    }

    /** Decoy keys no password matches, with this user's stable salt; costs one {@code Hi()}. */
    public ScramKeys decoy(UserId user, ScramVariant variant) {
        byte[] random = randomPassword();
        byte[] normalized = SaslPrep.normalizeForScram(random);
        try {
            return derive(variant, normalized, salt(user, variant), iterations);
        } finally {
            Wipe.bytes(random, normalized);
        }
    }

    /** Iterations of {@code Hi()} done so far by this object (a work counter for tests). */
    public long hiIterations() {
        return hiIterations.sum();
    }

    /** The CRAM-MD5 HMAC context serving this user, if any secret does (disabled: none). */
    public static Optional<CramMd5Context> cramMd5(List<Entry> records) {
        if (isDisabled(records)) {
            return Optional.empty();
        }
        if (hasUserPassword(records)) {
            Optional<byte[]> plain = plaintext(records);
            if (plain.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(CramMd5Context.fromKey(plain.get()));
            } finally {
                Wipe.bytes(plain.get());
            }
        }
        for (String p : List.of(SecretProperties.CRAM_MD5, SecretProperties.CMUSASLSECRET_CRAM_MD5)) {
            byte[] v = value(records, p);
            if (v == null) {
                continue;
            }
            try {
                return Optional.of(p.equals(SecretProperties.CRAM_MD5)
                        ? CramMd5Context.fromDovecot(v) : CramMd5Context.fromCyrusLegacy(v));
            } catch (MalformedSecretException ignored) {
                // try the next form, as Cyrus skips an unusable secret
            } finally {
                Wipe.bytes(v);
            }
        }
        return Optional.empty();
    }

    /** What a CRAM-MD5 server checks the response with, and whether a match lets the client in. */
    public static final class Cram {
        private final CramMd5Context context;
        private final boolean usable;

        private Cram(CramMd5Context context, boolean usable) {
            this.context = context;
            this.usable = usable;
        }

        public CramMd5Context context() {
            return context;
        }

        /** False for an unknown user, a disabled account, or no secret serving CRAM-MD5. */
        public boolean usable() {
            return usable;
        }

        public void wipe() {
            context.wipe();
        }

        @Override
        public String toString() {
            return "Cram[" + usable + "]";
        }
    }

    /**
     * The CRAM-MD5 answer for a user whose records these are. A user without records (unknown)
     * has {@code standIn} processed instead: the records of a dummy user stored under the
     * store's policy, so an unknown user costs what a typical known one does. The stand-in's
     * context is never usable.
     */
    public Cram cram(List<Entry> records, List<Entry> standIn) {
        boolean unknown = records.isEmpty();
        Optional<CramMd5Context> c = cramMd5(unknown ? standIn : records);
        if (c.isPresent()) {
            return new Cram(c.get(), !unknown);
        }
        return new Cram(CramMd5Context.fromKey(cramDecoyKey), false);
    }

    /** A context no response matches, costing what a real user's does (CRAM-MD5 decoy). */
    public static CramMd5Context cramMd5Decoy() {
        byte[] random = randomPassword();
        try {
            return CramMd5Context.fromKey(random);
        } finally {
            Wipe.bytes(random);
        }
    }

    /**
     * The password DIGEST-MD5 needs, as characters for the JDK's server: the plaintext's UTF-8
     * characters, or one character per byte for a legacy non-UTF-8 value, so the JDK's ISO
     * 8859-1 encoding (RFC 2831) hashes exactly the stored bytes. Empty if there is no plaintext
     * or the account is disabled.
     */
    public static Optional<char[]> digestMd5Password(List<Entry> records) {
        if (isDisabled(records)) {
            return Optional.empty();
        }
        return plaintext(records).map(p -> {
            try {
                return PasswordChars.of(p);
            } finally {
                Wipe.bytes(p);
            }
        });
    }

    /**
     * {@code userPassword} up to its first NUL (as libsasl's C string), a copy the caller wipes;
     * empty if absent or empty. Does not look at the disabled mark.
     */
    public static Optional<byte[]> plaintext(List<Entry> records) {
        byte[] v = value(records, SecretProperties.USER_PASSWORD);
        if (v == null) {
            return Optional.empty();
        }
        int end = 0;
        while (end < v.length && v[end] != 0) {
            end++;
        }
        byte[] out = Arrays.copyOf(v, end);
        Wipe.bytes(v);
        if (out.length == 0) {
            return Optional.empty();
        }
        return Optional.of(out);
    }

    /** True if the records carry the disabled mark. */
    public static boolean isDisabled(List<Entry> records) {
        return PasswordVerifier.isDisabled(records);
    }

    private static boolean hasUserPassword(List<Entry> records) {
        for (Entry e : records) {
            if (e.property().equals(SecretProperties.USER_PASSWORD)) {
                return true;
            }
        }
        return false;
    }

    private static Optional<ScramKeys> storedScram(List<Entry> records, ScramVariant variant) {
        if (variant == ScramVariant.SHA_256) {
            Optional<ScramKeys> own = parse(records, SecretProperties.SCRAM_SHA_256, false, variant);
            if (own.isPresent()) {
                return own;
            }
        }
        return parse(records, SecretProperties.AUTH_PASSWORD, true, variant);
    }

    private static Optional<ScramKeys> parse(List<Entry> records, String property, boolean authPassword,
            ScramVariant variant) {
        byte[] v = value(records, property);
        if (v == null) {
            return Optional.empty();
        }
        try {
            ScramKeys k = authPassword ? ScramFormats.parseAuthPassword(v) : ScramFormats.parseDovecot(v);
            if (k.variant() != variant) {
                k.wipe();
                return Optional.empty(); // Cyrus: a value for another variant is skipped
            }
            return Optional.of(k);
        } catch (MalformedSecretException ignored) {
            return Optional.empty();
        } finally {
            Wipe.bytes(v);
        }
    }

    private ScramKeys derive(ScramVariant variant, byte[] normalized, byte[] salt, int count) {
        hiIterations.add(count);
        return ScramKeys.deriveFromBytes(variant, normalized, salt, count);
    }

    /** The derivation a plaintext user costs, over a random password, result discarded. */
    private void burn(ScramVariant variant, byte[] salt, int count) {
        byte[] random = randomPassword();
        byte[] normalized = SaslPrep.normalizeForScram(random);
        try {
            derive(variant, normalized, salt, count).wipe();
        } finally {
            Wipe.bytes(random, normalized, salt);
        }
    }

    /** 16 random printable ASCII bytes (a password SASLprep leaves as it is). */
    private static byte[] randomPassword() {
        byte[] r = Bytes.randomBytes(16);
        for (int i = 0; i < r.length; i++) {
            r[i] = (byte) ('a' + (r[i] & 0x0f));
        }
        return r;
    }

    private byte[] salt(UserId user, ScramVariant variant) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(saltKey, "HmacSHA256"));
            mac.update(variant.mechanism().getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) 0);
            mac.update(user.authidBytes());
            mac.update((byte) 0);
            mac.update(user.realmBytes());
            byte[] full = mac.doFinal();
            byte[] salt = Arrays.copyOf(full, 16);
            Wipe.bytes(full);
            return salt;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** A copy of the first value of {@code property}, or null. */
    private static byte[] value(List<Entry> records, String property) {
        for (Entry e : records) {
            if (e.property().equals(property)) {
                return e.value();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "MechanismSecrets[i=" + iterations + "]";
    }
}
