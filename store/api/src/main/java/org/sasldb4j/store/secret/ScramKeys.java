package org.sasldb4j.store.secret;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a SCRAM server needs (RFC 5802 §3): salt, iteration count, StoredKey, ServerKey.
 *
 * <p>Obtain with {@link #derive} from a password, from {@link SecretSchemes} parsers of stored
 * values, or from {@link MechanismSecrets#scramKeys} for a user.
 *
 * <p><b>Security:</b> StoredKey and ServerKey are not the password, but they let an attacker
 * impersonate the <em>server</em> and mount an offline dictionary attack costing {@link
 * #iterations()} HMACs per guess. Accessors return copies; call {@link #wipe()} when done.
 * {@link #toString()} shows only the variant and iteration count; {@code equals} is identity.
 */
public final class ScramKeys {
    /** Iteration count bounds accepted from stored values: RFC 5802 allows any positive count;
     *  the upper bound keeps a corrupted value from costing minutes of CPU per attempt. */
    public static final int MIN_ITERATIONS = 1;
    public static final int MAX_ITERATIONS = 10_000_000;
    /** Salt length bounds accepted from stored values (Cyrus and Dovecot write 16). */
    public static final int MIN_SALT = 1;
    public static final int MAX_SALT = 1024;

    private static final byte[] CLIENT_KEY = "Client Key".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER_KEY = "Server Key".getBytes(StandardCharsets.US_ASCII);

    private final ScramVariant variant;
    private final byte[] salt;
    private final int iterations;
    private final byte[] storedKey;
    private final byte[] serverKey;

    private ScramKeys(ScramVariant variant, byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {
        this.variant = variant;
        this.salt = salt;
        this.iterations = iterations;
        this.storedKey = storedKey;
        this.serverKey = serverKey;
    }

    /**
     * Keys from their parts (copied).
     *
     * @throws IllegalArgumentException if a key is not {@link ScramVariant#hashLength()} bytes or
     *     salt or iteration count are outside the bounds above
     */
    public static ScramKeys of(ScramVariant variant, byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {
        Objects.requireNonNull(variant, "variant");
        if (storedKey.length != variant.hashLength() || serverKey.length != variant.hashLength()) {
            throw new IllegalArgumentException("StoredKey and ServerKey must be " + variant.hashLength() + " bytes");
        }
        if (salt.length < MIN_SALT || salt.length > MAX_SALT) {
            throw new IllegalArgumentException("salt length outside [" + MIN_SALT + ", " + MAX_SALT + "]");
        }
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iteration count outside [" + MIN_ITERATIONS + ", " + MAX_ITERATIONS + "]");
        }
        return new ScramKeys(variant, salt.clone(), iterations, storedKey.clone(), serverKey.clone());
    }

    /**
     * Derives keys from a password as RFC 5802 §3 says, with SASLprep ({@link SaslPrep}, query
     * rules) applied first; if SASLprep rejects the password its UTF-8 bytes are used unchanged,
     * which is what Cyrus (no SASLprep at all) and Dovecot do.
     *
     * @throws IllegalArgumentException if the password is empty or not valid Unicode, or salt or
     *     iteration count are out of bounds
     */
    public static ScramKeys derive(ScramVariant variant, char[] password, byte[] salt, int iterations) {
        byte[] normalized = SaslPrep.normalizeForScram(password);
        try {
            return deriveFromBytes(variant, normalized, salt, iterations);
        } finally {
            Wipe.bytes(normalized);
        }
    }

    /** Derivation from already normalised password bytes (Cyrus feeds raw bytes here). */
    static ScramKeys deriveFromBytes(ScramVariant variant, byte[] password, byte[] salt, int iterations) {
        if (password.length == 0) {
            throw new IllegalArgumentException("the password is empty");
        }
        byte[] salted = hi(variant, password, salt, iterations);
        byte[] clientKey = null;
        byte[] storedKey = null;
        byte[] serverKey = null;
        try {
            clientKey = hmac(variant, salted, CLIENT_KEY);
            storedKey = variant.newDigest().digest(clientKey);
            serverKey = hmac(variant, salted, SERVER_KEY);
            return of(variant, salt, iterations, storedKey, serverKey);
        } finally {
            Wipe.bytes(salted, clientKey, storedKey, serverKey);
        }
    }

    /**
     * RFC 5802 {@code Hi()}: PBKDF2 with HMAC-H, one block. Written out instead of JCA's
     * PBKDF2 because that takes {@code char[]} and would re-encode the SASLprep'd bytes.
     *
     * <p><b>Security:</b> the JCA {@link Mac} keeps its own copy of the key inside the provider
     * and {@link SecretKeySpec} cannot be destroyed; both become garbage when this returns.
     */
    static byte[] hi(ScramVariant variant, byte[] password, byte[] salt, int iterations) {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iteration count outside [" + MIN_ITERATIONS + ", " + MAX_ITERATIONS + "]");
        }
        HashWork.PBKDF2_ITERATIONS.add(iterations);
        Mac mac = keyed(variant, password);
        mac.update(salt);
        mac.update(new byte[] {0, 0, 0, 1});
        byte[] u = mac.doFinal();
        byte[] result = u.clone();
        try {
            for (int i = 1; i < iterations; i++) {
                byte[] next = mac.doFinal(u);
                Wipe.bytes(u);
                u = next;
                for (int k = 0; k < result.length; k++) {
                    result[k] ^= u[k];
                }
            }
            return result;
        } finally {
            Wipe.bytes(u);
        }
    }

    static byte[] hmac(ScramVariant variant, byte[] key, byte[] data) {
        return keyed(variant, key).doFinal(data);
    }

    private static Mac keyed(ScramVariant variant, byte[] key) {
        Mac mac = variant.newMac();
        try {
            mac.init(new SecretKeySpec(key, variant.macAlgorithm()));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HMAC refused its key", e);
        }
        return mac;
    }

    /** True if {@code password} derives to these keys (constant-time comparison of StoredKey and ServerKey). */
    boolean matches(byte[] normalizedPassword) {
        if (normalizedPassword.length == 0) {
            return false;
        }
        ScramKeys candidate = deriveFromBytes(variant, normalizedPassword, salt, iterations);
        try {
            // '&' not '&&': compare both keys every time
            return MessageDigest.isEqual(candidate.storedKey, storedKey)
                    & MessageDigest.isEqual(candidate.serverKey, serverKey);
        } finally {
            candidate.wipe();
        }
    }

    public ScramVariant variant() {
        return variant;
    }

    public byte[] salt() {
        return salt.clone();
    }

    public int iterations() {
        return iterations;
    }

    /** A copy of StoredKey. <b>Security:</b> wipe it when done. */
    public byte[] storedKey() {
        return storedKey.clone();
    }

    /** A copy of ServerKey. <b>Security:</b> wipe it when done. */
    public byte[] serverKey() {
        return serverKey.clone();
    }

    /** Overwrites the keys held by this instance; it is unusable afterwards. */
    public void wipe() {
        Arrays.fill(storedKey, (byte) 0);
        Arrays.fill(serverKey, (byte) 0);
    }

    /** The RFC 5803 / Cyrus {@code authPassword} text, e.g. {@code SCRAM-SHA-1$4096:...$...:...}. */
    public String toAuthPassword() {
        return ScramFormats.formatAuthPassword(this);
    }

    /** The Dovecot {@code {SCRAM-SHA-256}<iter>,<salt>,<StoredKey>,<ServerKey>} text. */
    public String toDovecot() {
        return ScramFormats.formatDovecot(this);
    }

    @Override
    public String toString() {
        return "ScramKeys[" + variant.mechanism() + ", i=" + iterations + ", keys=<redacted>]";
    }
}
