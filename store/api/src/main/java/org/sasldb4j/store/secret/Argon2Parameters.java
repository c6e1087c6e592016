package org.sasldb4j.store.secret;

/**
 * Argon2id cost parameters, named and versioned so that a stored hash always says which it used
 * (the PHC string carries m, t and p) and a change of default is a new constant, never an edit.
 *
 * <p><b>{@link #V1}</b> = m = 19456 KiB (19 MiB), t = 2, p = 1, 16-byte salt, 32-byte tag. That is
 * the OWASP Password Storage Cheat Sheet's stated minimum for Argon2id (docs/reference/protocols.md §6), chosen
 * over RFC 9106's 64 MiB / 2 GiB recommendations because an SMTP or IMAP server verifies a burst
 * of logins at once: memory x concurrent verifications is the real budget (50 at once = about 1
 * GiB with V1, 3.2 GiB with Dovecot's 64 MiB), and each must finish well inside Postfix's 10 s
 * auth timeout. p = 1 because libsodium, and so Dovecot, only ever writes p = 1 and verifying
 * p &gt; 1 there is unconfirmed; sasldb4j's hashes stay usable by Dovecot.
 *
 * @param memoryKiB memory in KiB ({@code m})
 * @param iterations passes over memory ({@code t})
 * @param parallelism lanes ({@code p})
 * @param saltLength salt bytes for new hashes
 * @param hashLength tag bytes
 */
public record Argon2Parameters(int memoryKiB, int iterations, int parallelism, int saltLength, int hashLength) {
    /** 2 GiB, RFC 9106's first recommendation; more is refused so a bad value cannot exhaust memory. */
    public static final int MAX_MEMORY_KIB = 2 * 1024 * 1024;
    public static final int MAX_ITERATIONS = 64;
    public static final int MAX_PARALLELISM = 64;
    /** Argon2's own minimum salt (8); up to 64 bytes read. */
    public static final int MIN_SALT = 8;
    public static final int MAX_SALT = 64;
    /** Tags shorter than 16 bytes are refused: a 4-byte tag (Argon2's minimum) is guessable. */
    public static final int MIN_HASH = 16;
    public static final int MAX_HASH = 64;

    /** The first default, see the class comment. */
    public static final Argon2Parameters V1 = new Argon2Parameters(19456, 2, 1, 16, 32);

    /** The default for new hashes; hashes weaker than this report {@link Verification#MATCH_NEEDS_REHASH}. */
    public static final Argon2Parameters CURRENT = V1;

    /**
     * @throws IllegalArgumentException if a value is outside the bounds above or memory is below
     *     Argon2's minimum of 8 KiB per lane
     */
    public Argon2Parameters {
        check("m", memoryKiB, 8 * Math.max(parallelism, 1), MAX_MEMORY_KIB);
        check("t", iterations, 1, MAX_ITERATIONS);
        check("p", parallelism, 1, MAX_PARALLELISM);
        check("salt length", saltLength, MIN_SALT, MAX_SALT);
        check("hash length", hashLength, MIN_HASH, MAX_HASH);
    }

    /**
     * True if these parameters are below {@code target} in memory, passes, salt or tag length.
     * Parallelism does not count: it changes the shape of the work, not its cost per guess.
     * A hash stronger in memory but with fewer passes still counts as weaker: the rule is simple
     * and rehashing moves it to the one default everyone can reason about.
     */
    public boolean weakerThan(Argon2Parameters target) {
        return memoryKiB < target.memoryKiB || iterations < target.iterations
                || saltLength < target.saltLength || hashLength < target.hashLength;
    }

    private static void check(String what, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException("Argon2 " + what + " must be in [" + min + ", " + max + "]");
        }
    }
}
