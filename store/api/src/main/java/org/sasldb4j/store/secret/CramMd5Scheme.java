package org.sasldb4j.store.secret;

import java.nio.charset.StandardCharsets;

/**
 * CRAM-MD5 HMAC contexts as a scheme: Dovecot text form under {@link SecretProperties#CRAM_MD5}
 * (written), or the legacy Cyrus binary form under {@link SecretProperties#CMUSASLSECRET_CRAM_MD5}
 * (read only). Verifying a password computes its context and compares the 32 bytes in constant
 * time.
 *
 * <p><b>Security:</b> password-equivalent for CRAM-MD5 and unsalted; see {@link CramMd5Context}.
 */
final class CramMd5Scheme extends AbstractScheme {
    static final CramMd5Scheme DOVECOT = new CramMd5Scheme(false);
    static final CramMd5Scheme CYRUS_LEGACY = new CramMd5Scheme(true);

    private final boolean legacy;

    private CramMd5Scheme(boolean legacy) {
        this.legacy = legacy;
    }

    @Override
    public String name() {
        return legacy ? "cmusaslsecretCRAM-MD5" : "cram-md5";
    }

    @Override
    public String property() {
        return legacy ? SecretProperties.CMUSASLSECRET_CRAM_MD5 : SecretProperties.CRAM_MD5;
    }

    @Override
    public boolean passwordEquivalent() {
        return true;
    }

    @Override
    byte[] encodeBytes(byte[] password) {
        if (legacy) {
            throw new UnsupportedOperationException("cmusaslsecretCRAM-MD5 is read-only (legacy format)");
        }
        CramMd5Context c = CramMd5Context.fromKey(password);
        try {
            return c.toDovecot().getBytes(StandardCharsets.US_ASCII);
        } finally {
            c.wipe();
        }
    }

    CramMd5Context parse(byte[] stored) {
        return legacy ? CramMd5Context.fromCyrusLegacy(stored) : CramMd5Context.fromDovecot(stored);
    }

    @Override
    public Verification verify(byte[] password, byte[] stored) {
        CramMd5Context expected = parse(stored);
        CramMd5Context actual = null;
        try {
            if (unusable(password)) {
                return Verification.MISMATCH;
            }
            actual = CramMd5Context.fromKey(password);
            if (!actual.sameAs(expected)) {
                return Verification.MISMATCH;
            }
            return legacy ? Verification.MATCH_NEEDS_REHASH : Verification.MATCH;
        } finally {
            expected.wipe();
            if (actual != null) {
                actual.wipe();
            }
        }
    }

    @Override
    public boolean needsRehash(byte[] stored) {
        parse(stored).wipe();
        // The legacy binary form cannot be served to libsasl-free tools as text; rewrite it.
        return legacy;
    }
}
