package org.sasldb4j.auxprop.daemon;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A short-lived memory of successful plaintext verifications, so a client that logs in again
 * within seconds (Postfix: one AUTH per SMTP session) skips the slow hash.
 *
 * <p>The key is HMAC-SHA-256 over login, password and the state of the user's stored records
 * ({@link PasswordCheck#secretsState}) under a random key made at start-up and never stored: the
 * cache holds no password and nothing an attacker could test guesses against without that key.
 * Because the records' state is part of the key, a password changed, a user deleted or disabled
 * with {@code saslpasswd} is honoured at the next login (the old password no longer finds its
 * entry); looking the state up is one store read, far cheaper than the Argon2id it saves. Only
 * successes are cached (a cached failure would lock out a user who just fixed a typo, and caching
 * failures helps guessing). Entries expire after the TTL; the cache is off unless a TTL is
 * configured, and a reload (SIGHUP) empties it.
 */
final class VerificationCache {
    private static final int MAX_ENTRIES = 100_000;
    private final Map<String, Long> entries = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final SecretKeySpec key;

    VerificationCache(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        this.key = new SecretKeySpec(k, "HmacSHA256");
        Arrays.fill(k, (byte) 0);
    }

    /** True if this user and password verified successfully within the TTL, with the user's records in {@code state}. */
    boolean contains(String login, byte[] password, byte[] state) {
        String k = digest(login, password, state);
        Long expiry = entries.get(k);
        if (expiry == null) {
            return false;
        }
        if (System.nanoTime() - expiry > 0) {
            entries.remove(k, expiry);
            return false;
        }
        return true;
    }

    /** Remembers a successful verification while the user's records are in {@code state}. */
    void put(String login, byte[] password, byte[] state) {
        if (entries.size() >= MAX_ENTRIES) {
            purge();
        }
        if (entries.size() >= MAX_ENTRIES) {
            // Still full of live entries: start over rather than grow without bound.
            entries.clear();
        }
        entries.put(digest(login, password, state), System.nanoTime() + ttlNanos);
    }

    /** Forgets everything (reload). */
    void clear() {
        entries.clear();
    }

    int size() {
        return entries.size();
    }

    private void purge() {
        long now = System.nanoTime();
        entries.values().removeIf(e -> now - e > 0);
    }

    private String digest(String login, byte[] password, byte[] state) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            update(mac, login.getBytes(StandardCharsets.UTF_8));
            update(mac, password);
            update(mac, state);
            return Base64.getEncoder().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Length-prefixed, so (login "ab", password "c") and ("a", "bc") differ. */
    private static void update(Mac mac, byte[] b) {
        mac.update(ByteBuffer.allocate(4).putInt(b.length).array());
        mac.update(b);
    }
}
