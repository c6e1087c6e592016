package org.sasldb4j.store.secret;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Property test for every parser of stored values: random bytes, random text over each format's
 * alphabet, and mutations of valid values must give {@link MalformedSecretException} or a result,
 * never another exception. Messages must not quote the input.
 */
@org.junit.jupiter.api.Tag("attack") // hostile input: scripts/attack.sh replays it
class ParserFuzzTest {
    private static final int ROUNDS = 3000;
    private static final char[] PW = "pencil-and-otp-phrase".toCharArray();

    private static final String ALPHABET = "SCRAM-SHA-1256$:, {}=+/AZaz09argon2idvmtp\u0000\u00ff ";

    /**
     * A parser under test: returns something non-null or throws MalformedSecretException.
     * Mutated valid values go to {@code needsRehash} (parse only), because a mutation may turn
     * 4096 SCRAM iterations into millions, or Argon2's 64 KiB into 2 GiB, all within bounds;
     * random input goes to {@code verify}.
     */
    private record Target(String name, List<String> seeds, SecretScheme scheme) {
        Object parse(byte[] b) {
            return scheme.needsRehash(b);
        }

        Object verify(byte[] b) {
            return scheme.verify(PW, b);
        }
    }

    private static List<Target> targets() {
        String argon = new String(SecretSchemes.argon2id(Argon2idSchemeTest.CHEAP).encode(PW), StandardCharsets.US_ASCII);
        String dovecot = new String(SecretSchemes.scramSha256().encode(PW), StandardCharsets.US_ASCII);
        String cram = CramMd5Context.fromPassword(PW).toDovecot();
        return List.of(
                new Target("authPassword", List.of(ScramKeysTest.CYRUS_VECTOR), SecretSchemes.authPassword()),
                new Target("dovecot-scram", List.of(dovecot), SecretSchemes.scramSha256()),
                new Target("argon2id-phc", List.of(argon, argon.substring(10)),
                        SecretSchemes.argon2id(Argon2idSchemeTest.CHEAP)),
                new Target("cram-md5", List.of(cram), SecretSchemes.cramMd5()),
                new Target("cmusaslsecretCRAM-MD5", List.of(new String(new char[32])), SecretSchemes.cyrusLegacyCramMd5()),
                new Target("cmusaslsecretPLAIN", List.of(new String(new char[33])), SecretSchemes.cyrusLegacyPlain()),
                new Target("userPassword", List.of("pencil"), SecretSchemes.plaintext()));
    }

    @Test
    void randomInputGivesResultOrMalformed() {
        for (Target t : targets()) {
            Random rnd = new Random(t.name().hashCode());
            for (int i = 0; i < ROUNDS; i++) {
                switch (i % 4) {
                    case 0 -> check(t.name(), randomBytes(rnd), t::verify);
                    case 1 -> check(t.name(), randomText(rnd), t::verify);
                    case 2 -> check(t.name(), randomText(rnd), t::parse);
                    default -> check(t.name(), mutate(rnd, t.seeds().get(rnd.nextInt(t.seeds().size()))), t::parse);
                }
            }
        }
    }

    @Test
    void mutatedValuesThatStillParseAlsoVerify() {
        // Mutations that keep the cost parameters intact: flip characters of salt and keys only.
        String dovecot = new String(SecretSchemes.scramSha256().encode(PW), StandardCharsets.US_ASCII);
        Random rnd = new Random(5802);
        for (String seed : List.of(ScramKeysTest.CYRUS_VECTOR, dovecot)) {
            SecretScheme s = seed.startsWith("{") ? SecretSchemes.scramSha256() : SecretSchemes.authPassword();
            int keysFrom = seed.indexOf(seed.startsWith("{") ? ',' : ':') + 1;
            for (int i = 0; i < 100; i++) {
                StringBuilder sb = new StringBuilder(seed);
                int pos = keysFrom + rnd.nextInt(seed.length() - keysFrom);
                sb.setCharAt(pos, ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
                check("mutated " + s.name(), sb.toString().getBytes(StandardCharsets.ISO_8859_1), b -> s.verify(PW, b));
            }
        }
    }

    private static void check(String name, byte[] input, Function<byte[], Object> parser) {
        try {
            assertNotNull(parser.apply(input));
        } catch (MalformedSecretException e) {
            String text = new String(input, StandardCharsets.ISO_8859_1);
            if (text.length() >= 8 && e.getMessage().contains(text)) {
                fail(name + ": message quotes the input");
            }
        } catch (RuntimeException | Error e) {
            throw new AssertionError(name + ": unexpected " + e + " for input of "
                    + input.length + " bytes: " + java.util.Base64.getEncoder().encodeToString(input), e);
        }
    }

    private static byte[] randomBytes(Random rnd) {
        byte[] b = new byte[rnd.nextInt(120)];
        rnd.nextBytes(b);
        return b;
    }

    private static byte[] randomText(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int n = rnd.nextInt(120);
        for (int i = 0; i < n; i++) {
            sb.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] mutate(Random rnd, String seed) {
        StringBuilder sb = new StringBuilder(seed);
        int edits = 1 + rnd.nextInt(4);
        for (int k = 0; k < edits; k++) {
            int op = rnd.nextInt(3);
            int pos = sb.length() == 0 ? 0 : rnd.nextInt(sb.length());
            char c = rnd.nextInt(4) == 0 ? (char) rnd.nextInt(256) : ALPHABET.charAt(rnd.nextInt(ALPHABET.length()));
            if (op == 0 && sb.length() > 0) {
                sb.setCharAt(pos, c);
            } else if (op == 1 && sb.length() > 0) {
                sb.deleteCharAt(pos);
            } else {
                sb.insert(pos, c);
            }
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
