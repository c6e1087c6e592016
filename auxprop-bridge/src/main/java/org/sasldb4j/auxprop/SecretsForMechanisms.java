package org.sasldb4j.auxprop;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.secret.PasswordChars;
import org.sasldb4j.store.secret.CramMd5Context;
import org.sasldb4j.store.secret.MalformedSecretException;
import org.sasldb4j.store.secret.ScramKeys;
import org.sasldb4j.store.secret.ScramVariant;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretSchemes;

/**
 * Picks, from one user's records, the secret a challenge-response mechanism needs
 * (protocols.md §3; cyrus-sasldb.md §11.3): {@code userPassword} first, as in every Cyrus 2.1
 * release, then the stored forms.
 *
 * <p><b>Security:</b> values copied out of records are wiped here; what is returned is the
 * caller's to wipe. A per-process random key makes plaintext-derived SCRAM salts and decoy salts
 * stable within the process (a client asking twice sees the same salt) and unpredictable across
 * processes, as Cyrus's {@code Hi(username, random key, 20)}.
 */
final class SecretsForMechanisms {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int scramIterations;
    private final byte[] saltKey = new byte[32];

    SecretsForMechanisms(int scramIterations) {
        this.scramIterations = scramIterations;
        RANDOM.nextBytes(saltKey);
    }

    static boolean disabled(List<Entry> records) {
        for (Entry e : records) {
            if (e.property().equals(SecretProperties.DISABLED)) {
                return true;
            }
        }
        return false;
    }

    /** userPassword up to its first NUL; empty if absent or empty (Cyrus: "empty secret"). */
    static Optional<byte[]> plaintext(List<Entry> records) {
        byte[] v = value(records, SecretProperties.USER_PASSWORD);
        if (v == null) {
            return Optional.empty();
        }
        int end = 0;
        while (end < v.length && v[end] != 0) {
            end++;
        }
        byte[] out = Arrays.copyOf(v, end);
        AuxpropBridge.wipe(v);
        if (out.length == 0) {
            return Optional.empty();
        }
        return Optional.of(out);
    }

    Optional<ScramKeys> scramKeys(CanonicalUser user, List<Entry> records, ScramVariant variant) {
        Optional<byte[]> plain = plaintext(records);
        if (plain.isPresent()) {
            return Optional.of(fromPlaintext(user, plain.get(), variant));
        }
        if (value(records, SecretProperties.USER_PASSWORD) != null) {
            return Optional.empty(); // an empty userPassword still wins, then fails ("empty secret")
        }
        Optional<ScramKeys> k = parsed(records, SecretProperties.AUTH_PASSWORD, variant, false);
        if (k.isEmpty() && variant == ScramVariant.SHA_256) {
            k = parsed(records, SecretProperties.SCRAM_SHA_256, variant, true);
        }
        return k;
    }

    ScramKeys decoy(CanonicalUser user, ScramVariant variant) {
        byte[] salt = salt(user, variant);
        byte[] junk = new byte[variant.hashLength()];
        RANDOM.nextBytes(junk);
        try {
            // Random keys: nothing can match; the salt is what the client sees and stays stable.
            return ScramKeys.of(variant, salt, scramIterations, junk, junk);
        } finally {
            AuxpropBridge.wipe(junk);
        }
    }

    static Optional<CramMd5Context> cramMd5(List<Entry> records) {
        Optional<byte[]> plain = plaintext(records);
        if (plain.isPresent()) {
            char[] chars = PasswordChars.of(plain.get());
            try {
                return Optional.of(CramMd5Context.fromPassword(chars));
            } finally {
                Arrays.fill(chars, '\0');
                AuxpropBridge.wipe(plain.get());
            }
        }
        if (value(records, SecretProperties.USER_PASSWORD) != null) {
            return Optional.empty();
        }
        byte[] own = value(records, SecretProperties.CRAM_MD5);
        byte[] legacy = value(records, SecretProperties.CMUSASLSECRET_CRAM_MD5);
        try {
            if (own != null) {
                return Optional.of(CramMd5Context.fromDovecot(own));
            }
            if (legacy != null) {
                return Optional.of(CramMd5Context.fromCyrusLegacy(legacy));
            }
            return Optional.empty();
        } catch (MalformedSecretException e) {
            return Optional.empty();
        } finally {
            AuxpropBridge.wipe(own);
            AuxpropBridge.wipe(legacy);
        }
    }

    private ScramKeys fromPlaintext(CanonicalUser user, byte[] plain, ScramVariant variant) {
        char[] chars = PasswordChars.of(plain);
        try {
            return ScramKeys.derive(variant, chars, salt(user, variant), scramIterations);
        } finally {
            Arrays.fill(chars, '\0');
            AuxpropBridge.wipe(plain);
        }
    }

    private static Optional<ScramKeys> parsed(List<Entry> records, String property, ScramVariant variant, boolean dovecot) {
        byte[] v = value(records, property);
        if (v == null) {
            return Optional.empty();
        }
        try {
            ScramKeys k = dovecot ? SecretSchemes.parseDovecotScram(v) : SecretSchemes.parseAuthPassword(v);
            if (k.variant() != variant) {
                k.wipe();
                return Optional.empty(); // Cyrus: a value for another variant is skipped
            }
            return Optional.of(k);
        } catch (MalformedSecretException e) {
            return Optional.empty();
        } finally {
            AuxpropBridge.wipe(v);
        }
    }

    /** 16 bytes of HMAC-SHA-256(process key, variant NUL authid NUL realm). */
    private byte[] salt(CanonicalUser user, ScramVariant variant) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(saltKey, "HmacSHA256"));
            mac.update(variant.mechanism().getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) 0);
            mac.update(user.authid().getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(user.realm().getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(mac.doFinal(), 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
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
}
