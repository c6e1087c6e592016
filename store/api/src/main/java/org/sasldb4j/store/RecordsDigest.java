package org.sasldb4j.store;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * A SHA-256 digest of one user's records (every key and value, the disabled mark included, in
 * the order given, each length-prefixed): what a compare-and-set ({@link
 * CredentialStore#writeIfUnchanged}) compares, and what tells a cache that a user's secrets
 * changed. A password change, a deletion, {@code --disable} or {@code --enable} gives another
 * digest.
 *
 * <p><b>Security:</b> the digest is computed over secrets (for a plaintext user, a fast hash of
 * the password). Keep it in memory only, compare it with {@link #same}, and wipe it.
 */
public final class RecordsDigest {
    private RecordsDigest() {}

    /** The digest of {@code records} (values are read through copies, which are wiped). */
    public static byte[] of(List<Entry> records) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        for (Entry e : records) {
            byte[] key = e.key();
            byte[] value = e.value();
            try {
                sha.update(ByteBuffer.allocate(8).putInt(key.length).putInt(value.length).array());
                sha.update(key);
                sha.update(value);
            } finally {
                java.util.Arrays.fill(value, (byte) 0);
            }
        }
        return sha.digest();
    }

    /** Constant-time comparison of two digests. */
    public static boolean same(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
