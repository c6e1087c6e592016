package org.sasldb4j.store.secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Legacy Cyrus {@code cmusaslsecretPLAIN} (SASL v1 era, docs/reference/cyrus-sasldb.md §1.7): 33 bytes,
 * {@code salt(16) || 0x00 || MD5(salt || "sasldb" || password)}, all 33 compared as
 * {@code lib/checkpw.c} does. Read-only: nothing should write this weak format any more.
 *
 * <p><b>Security:</b> a salted single MD5, cheap to attack offline; {@link #needsRehash} is
 * always true so a successful login can replace it.
 */
final class CyrusPlainScheme extends AbstractScheme {
    static final CyrusPlainScheme INSTANCE = new CyrusPlainScheme();
    static final int LENGTH = 33;
    private static final byte[] MAGIC = "sasldb".getBytes(StandardCharsets.US_ASCII);

    private CyrusPlainScheme() {}

    @Override
    public String name() {
        return "cmusaslsecretPLAIN";
    }

    @Override
    public String property() {
        return SecretProperties.CMUSASLSECRET_PLAIN;
    }

    @Override
    public boolean passwordEquivalent() {
        return false;
    }

    @Override
    byte[] encodeBytes(byte[] password) {
        throw new UnsupportedOperationException("cmusaslsecretPLAIN is read-only (legacy format)");
    }

    @Override
    public Verification verify(byte[] password, byte[] stored) {
        check(stored);
        byte[] computed = compute(password, stored);
        try {
            boolean equal = MessageDigest.isEqual(computed, stored);
            // A legacy secret that matched should be replaced while the plaintext is at hand.
            return equal && password.length > 0 ? Verification.MATCH_NEEDS_REHASH : Verification.MISMATCH;
        } finally {
            Wipe.bytes(computed);
        }
    }

    /** The 33-byte value for {@code password} with the salt of {@code stored}. */
    static byte[] compute(byte[] password, byte[] saltSource) {
        MessageDigest md5 = md5();
        md5.update(saltSource, 0, 16);
        md5.update(MAGIC);
        md5.update(password);
        byte[] out = new byte[LENGTH];
        System.arraycopy(saltSource, 0, out, 0, 16);
        out[16] = 0;
        byte[] digest = md5.digest();
        System.arraycopy(digest, 0, out, 17, 16);
        Wipe.bytes(digest);
        return out;
    }

    @Override
    public boolean needsRehash(byte[] stored) {
        check(stored);
        return true;
    }

    private static void check(byte[] stored) {
        if (stored.length != LENGTH) {
            throw new MalformedSecretException("cmusaslsecretPLAIN is not 33 bytes long");
        }
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }
}
