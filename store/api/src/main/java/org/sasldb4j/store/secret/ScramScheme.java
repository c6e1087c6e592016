package org.sasldb4j.store.secret;

import java.util.Arrays;

/**
 * SCRAM stored keys in one of two textual forms: Cyrus {@code authPassword} (RFC 5803) or a
 * Dovecot {@code {SCRAM-SHA-n}} value under a {@code sasldb4j.} property.
 *
 * <p>{@link #verify} derives keys from the password with the stored salt and iteration count and
 * compares both keys in constant time. The password is SASLprep'd first (RFC 5802); if that
 * changes it, the unprepared UTF-8 is tried too, because Cyrus derives {@code authPassword}
 * without SASLprep. A Cyrus {@code authPassword} of another variant than this scheme writes
 * verifies with its own variant and reports {@link Verification#MATCH_NEEDS_REHASH}.
 *
 * <p><b>Security:</b> not password-equivalent, but an offline guess costs only {@code iterations}
 * HMACs, far less than Argon2id: see docs/format.md.
 */
final class ScramScheme extends AbstractScheme {
    enum Form { AUTH_PASSWORD, DOVECOT }

    private final ScramVariant variant;
    private final Form form;
    private final String property;
    private final int iterations;

    ScramScheme(ScramVariant variant, Form form, String property, int iterations) {
        if (iterations < 4096 || iterations > ScramKeys.MAX_ITERATIONS) {
            // RFC 7677 §4: at least 4096. Lower counts are read, never written.
            throw new IllegalArgumentException("SCRAM iteration count must be in [4096, " + ScramKeys.MAX_ITERATIONS + "]");
        }
        if (form == Form.DOVECOT && variant != ScramVariant.SHA_1 && variant != ScramVariant.SHA_256) {
            throw new IllegalArgumentException("Dovecot stores only SCRAM-SHA-1 and SCRAM-SHA-256");
        }
        this.variant = variant;
        this.form = form;
        this.property = property;
        this.iterations = iterations;
    }

    @Override
    public String name() {
        return variant.mechanism().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String property() {
        return property;
    }

    @Override
    public boolean passwordEquivalent() {
        return false;
    }

    ScramVariant variant() {
        return variant;
    }

    int iterations() {
        return iterations;
    }

    @Override
    byte[] encodeBytes(byte[] password) {
        byte[] normalized = SaslPrep.normalizeForScram(password);
        ScramKeys keys = null;
        try {
            keys = ScramKeys.deriveFromBytes(variant, normalized, Bytes.randomBytes(16), iterations);
            String text = form == Form.AUTH_PASSWORD ? keys.toAuthPassword() : keys.toDovecot();
            return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        } finally {
            Wipe.bytes(normalized);
            if (keys != null) {
                keys.wipe();
            }
        }
    }

    /** The stored keys of a value in this scheme's form. */
    ScramKeys parse(byte[] stored) {
        return form == Form.AUTH_PASSWORD ? ScramFormats.parseAuthPassword(stored) : ScramFormats.parseDovecot(stored);
    }

    @Override
    public Verification verify(byte[] password, byte[] stored) {
        ScramKeys keys = parse(stored);
        byte[] prepared = null;
        try {
            if (unusable(password)) {
                return Verification.MISMATCH;
            }
            prepared = SaslPrep.normalizeForScram(password);
            boolean match = keys.matches(prepared);
            if (!Arrays.equals(prepared, password)) {
                match |= keys.matches(password);
            }
            if (!match) {
                return Verification.MISMATCH;
            }
            return weaker(keys) ? Verification.MATCH_NEEDS_REHASH : Verification.MATCH;
        } finally {
            Wipe.bytes(prepared);
            keys.wipe();
        }
    }

    @Override
    public boolean needsRehash(byte[] stored) {
        ScramKeys keys = parse(stored);
        keys.wipe();
        return weaker(keys);
    }

    private boolean weaker(ScramKeys keys) {
        return keys.variant() != variant || keys.iterations() < iterations || keys.salt().length < 16;
    }
}
