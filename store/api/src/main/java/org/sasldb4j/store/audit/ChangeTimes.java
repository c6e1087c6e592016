package org.sasldb4j.store.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.sasldb4j.store.StoreWriter;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.SecretProperties;

/**
 * The account's last-change time kept in the store itself, property {@value #PROPERTY}: an
 * ISO-8601 UTC instant to the second (e.g. {@code 2026-12-03T23:29:30Z}), written in the same
 * transaction as the change, so every backend and every tool shows the same time.
 *
 * <p>Opt-in ({@link AuditSettings#changeTimes()}): an extra record per user would make a store
 * differ from the one Cyrus's {@code saslpasswd2} writes, and {@code sasldblistusers2} would list
 * it. Not a secret.
 */
public final class ChangeTimes {
    /** The property. */
    public static final String PROPERTY = SecretProperties.PREFIX + "changed";

    private ChangeTimes() {}

    /** The value written for {@code when}. */
    public static byte[] value(Instant when) {
        return when.truncatedTo(ChronoUnit.SECONDS).toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes the change time of {@code user} in the caller's transaction. */
    public static void stamp(StoreWriter w, UserId user, Instant when) {
        w.put(user, PROPERTY, value(when));
    }

    /**
     * Reads a stored value back: the instant, or empty if the value is not one this class writes
     * (a hand-made or damaged value is never shown as a time).
     */
    public static Optional<Instant> parse(byte[] value) {
        if (value.length < 20 || value.length > 40) {
            return Optional.empty();
        }
        for (byte b : value) {
            if (b < 0x20 || b > 0x7e) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(Instant.parse(new String(value, StandardCharsets.US_ASCII)));
        } catch (java.time.DateTimeException e) {
            return Optional.empty();
        }
    }
}
