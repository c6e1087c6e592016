package org.sasldb4j.store.secret;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import javax.crypto.Mac;

/**
 * The SCRAM hash variants Cyrus can write into {@code authPassword} (docs/reference/cyrus-sasldb.md §1.5).
 * sasldb4j writes SHA-1 and SHA-256 (RFC 5802, RFC 7677); the others are read so a Cyrus value
 * made with {@code mech_list} set still verifies.
 */
public enum ScramVariant {
    SHA_1("SCRAM-SHA-1", "SHA-1", "HmacSHA1", 20),
    SHA_224("SCRAM-SHA-224", "SHA-224", "HmacSHA224", 28),
    SHA_256("SCRAM-SHA-256", "SHA-256", "HmacSHA256", 32),
    SHA_384("SCRAM-SHA-384", "SHA-384", "HmacSHA384", 48),
    SHA_512("SCRAM-SHA-512", "SHA-512", "HmacSHA512", 64);

    private final String mechanism;
    private final String digest;
    private final String mac;
    private final int length;

    ScramVariant(String mechanism, String digest, String mac, int length) {
        this.mechanism = mechanism;
        this.digest = digest;
        this.mac = mac;
        this.length = length;
    }

    /** The SASL mechanism name, e.g. {@code SCRAM-SHA-256}. */
    public String mechanism() {
        return mechanism;
    }

    /** Output length of the hash in bytes: the length of StoredKey and ServerKey. */
    public int hashLength() {
        return length;
    }

    /** The variant for an exact mechanism name (case-sensitive, as Cyrus compares it). */
    public static Optional<ScramVariant> ofMechanism(String name) {
        for (ScramVariant v : values()) {
            if (v.mechanism.equals(name)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + digest, e);
        }
    }

    Mac newMac() {
        try {
            return Mac.getInstance(mac);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + mac, e);
        }
    }

    String macAlgorithm() {
        return mac;
    }
}
