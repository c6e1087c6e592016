package org.sasldb4j.store.secret;

import de.mkammerer.argon2.Argon2Advanced;
import de.mkammerer.argon2.Argon2Factory;
import de.mkammerer.argon2.Argon2Version;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Argon2id PHC strings in Dovecot form: {@code {ARGON2ID}$argon2id$v=19$m=<KiB>,t=<n>,p=<n>$<salt>$<hash>},
 * salt and hash in standard base64 without padding (docs/reference/protocols.md §6).
 *
 * <p>The parameters are read from the stored string, so hashes made with older defaults keep
 * verifying; {@link #needsRehash} compares them with this scheme's {@link Argon2Parameters}. The
 * string is parsed here (bounded, see {@link PhcString}) and the tag recomputed with argon2-jvm's
 * raw API, rather than handing the string to libargon2's decoder, so a hostile value can neither
 * ask for unbounded memory nor reach native parsing code.
 *
 * <p><b>Security:</b> the password's UTF-8 bytes are the Argon2 input (no normalisation, as
 * libsodium and Dovecot). argon2-jvm copies them into native memory and wipes that; this class
 * wipes its Java copies. Tags are compared with {@link MessageDigest#isEqual}.
 */
final class Argon2idScheme extends AbstractScheme {
    /** argon2-jvm's native binding; thread-safe, loaded on first use. */
    private static final class Native {
        static final Argon2Advanced ARGON2 = Argon2Factory.createAdvanced(Argon2Factory.Argon2Types.ARGON2id);
    }

    private final Argon2Parameters parameters;

    Argon2idScheme(Argon2Parameters parameters) {
        this.parameters = parameters;
    }

    Argon2Parameters parameters() {
        return parameters;
    }

    @Override
    public String name() {
        return "argon2id";
    }

    @Override
    public String property() {
        return SecretProperties.ARGON2ID;
    }

    @Override
    public boolean passwordEquivalent() {
        return false;
    }

    @Override
    byte[] encodeBytes(byte[] password) {
        byte[] salt = Bytes.randomBytes(parameters.saltLength());
        byte[] tag = raw(password, salt, parameters.memoryKiB(), parameters.iterations(),
                parameters.parallelism(), parameters.hashLength(), Argon2Version.V13);
        try {
            PhcString phc = new PhcString(19, parameters.memoryKiB(), parameters.iterations(),
                    parameters.parallelism(), salt, tag);
            return phc.format().getBytes(StandardCharsets.US_ASCII);
        } finally {
            Wipe.bytes(tag);
        }
    }

    @Override
    public Verification verify(byte[] password, byte[] stored) {
        PhcString phc = PhcString.parse(stored);
        byte[] tag = phc.hash();
        byte[] computed = null;
        try {
            if (unusable(password)) {
                return Verification.MISMATCH;
            }
            computed = raw(password, phc.salt(), phc.memoryKiB(), phc.iterations(), phc.parallelism(),
                    tag.length, phc.version() == 19 ? Argon2Version.V13 : Argon2Version.V10);
            if (!MessageDigest.isEqual(computed, tag)) {
                return Verification.MISMATCH;
            }
            return weaker(phc) ? Verification.MATCH_NEEDS_REHASH : Verification.MATCH;
        } finally {
            Wipe.bytes(tag, computed);
        }
    }

    @Override
    public boolean needsRehash(byte[] stored) {
        return weaker(PhcString.parse(stored));
    }

    private boolean weaker(PhcString phc) {
        return phc.version() != 19 || phc.parameters().weakerThan(parameters);
    }

    private static byte[] raw(byte[] password, byte[] salt, int m, int t, int p, int length, Argon2Version v) {
        HashWork.ARGON2_KIB_PASSES.add((long) m * t);
        return Native.ARGON2.rawHashAdvanced(t, m, p, password, salt, null, null, length, v);
    }

    /**
     * A parsed Argon2id PHC string. Bounds: those of {@link Argon2Parameters} (salt 8..64 bytes,
     * tag 16..64 bytes, m up to 2 GiB, t up to 64, p up to 64), text up to 512 characters.
     */
    record PhcString(int version, int memoryKiB, int iterations, int parallelism, byte[] salt, byte[] hash) {
        static final int MAX_LENGTH = 512;

        static PhcString parse(byte[] stored) {
            if (stored.length > MAX_LENGTH) {
                throw new MalformedSecretException("Argon2id value is longer than " + MAX_LENGTH + " bytes");
            }
            String s = Bytes.ascii(stored, "Argon2id value");
            if (s.startsWith("{")) {
                int close = s.indexOf('}');
                if (close < 0 || !s.substring(1, close).toUpperCase(Locale.ROOT).equals("ARGON2ID")) {
                    throw new MalformedSecretException("Argon2id value has a scheme other than {ARGON2ID}");
                }
                s = s.substring(close + 1);
            }
            String[] f = s.split("\\$", -1);
            // "", "argon2id", ["v=19",] "m=..,t=..,p=..", salt, hash
            if (f.length < 5 || f.length > 6 || !f[0].isEmpty() || !f[1].equals("argon2id")) {
                throw new MalformedSecretException("Argon2id value is not $argon2id$[v=..$]m=..,t=..,p=..$salt$hash");
            }
            int i = 2;
            int version = 16; // PHC: no v= means Argon2 1.0
            if (f.length == 6) {
                if (!f[2].startsWith("v=")) {
                    throw new MalformedSecretException("Argon2id value has no v= field");
                }
                version = Bytes.decimal(f[2].substring(2), 16, 19, "Argon2id version");
                if (version != 16 && version != 19) {
                    throw new MalformedSecretException("Argon2id version is neither 16 nor 19");
                }
                i = 3;
            }
            String[] params = f[i].split(",", -1);
            if (params.length != 3 || !params[0].startsWith("m=") || !params[1].startsWith("t=")
                    || !params[2].startsWith("p=")) {
                throw new MalformedSecretException("Argon2id parameters are not m=..,t=..,p=..");
            }
            int m = Bytes.decimal(params[0].substring(2), 1, Argon2Parameters.MAX_MEMORY_KIB, "Argon2id m");
            int t = Bytes.decimal(params[1].substring(2), 1, Argon2Parameters.MAX_ITERATIONS, "Argon2id t");
            int p = Bytes.decimal(params[2].substring(2), 1, Argon2Parameters.MAX_PARALLELISM, "Argon2id p");
            if (m < 8 * p) {
                throw new MalformedSecretException("Argon2id m is below 8 KiB per lane");
            }
            byte[] salt = Bytes.base64(f[i + 1], "Argon2id salt");
            byte[] hash = Bytes.base64(f[i + 2], "Argon2id hash");
            if (salt.length < Argon2Parameters.MIN_SALT || salt.length > Argon2Parameters.MAX_SALT) {
                throw new MalformedSecretException("Argon2id salt length is outside ["
                        + Argon2Parameters.MIN_SALT + ", " + Argon2Parameters.MAX_SALT + "]");
            }
            if (hash.length < Argon2Parameters.MIN_HASH || hash.length > Argon2Parameters.MAX_HASH) {
                Wipe.bytes(hash);
                throw new MalformedSecretException("Argon2id hash length is outside ["
                        + Argon2Parameters.MIN_HASH + ", " + Argon2Parameters.MAX_HASH + "]");
            }
            return new PhcString(version, m, t, p, salt, hash);
        }

        String format() {
            return "{ARGON2ID}$argon2id$v=" + version + "$m=" + memoryKiB + ",t=" + iterations + ",p="
                    + parallelism + "$" + Bytes.base64NoPad(salt) + "$" + Bytes.base64NoPad(hash);
        }

        Argon2Parameters parameters() {
            return new Argon2Parameters(memoryKiB, iterations, parallelism, salt.length, hash.length);
        }

        /** Redacted: the tag is what an offline attack needs. */
        @Override
        public String toString() {
            return "PhcString[v=" + version + ", m=" + memoryKiB + ", t=" + iterations + ", p=" + parallelism + ", <redacted>]";
        }

        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }
}
