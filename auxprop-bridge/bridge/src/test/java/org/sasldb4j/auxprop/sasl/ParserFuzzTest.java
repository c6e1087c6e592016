package org.sasldb4j.auxprop.sasl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.TestStore;
import org.sasldb4j.store.secret.ScramKeys;
import org.sasldb4j.store.secret.ScramVariant;
import org.sasldb4j.store.secret.SecretProperties;

/**
 * Property tests of every parser of client bytes: random and mutated client messages give a
 * result or a {@link SaslException} (never one wrapping a runtime exception, i.e. never a bug
 * path), and never hang. Seeds are fixed so failures reproduce; the seed is in the message.
 */
@org.junit.jupiter.api.Tag("attack") // hostile input: scripts/attack.sh replays it
class ParserFuzzTest {
    private static final long SEED = 0x5a51db4aL;
    @TempDir
    Path dir;
    AuxpropBridge bridge;

    @BeforeEach
    void open() {
        bridge = TestStore.in(dir)
                .put("user", "vm", SecretProperties.AUTH_PASSWORD, ScramKeys.derive(ScramVariant.SHA_1,
                        "pencil".toCharArray(), new byte[16], 1).toAuthPassword())
                .put("user", "vm", SecretProperties.CRAM_MD5,
                        org.sasldb4j.store.secret.CramMd5Context.fromPassword("pencil".toCharArray()).toDovecot())
                .put("tim", "vm", SecretProperties.ARGON2ID,
                        org.sasldb4j.store.secret.SecretSchemes.argon2id(TestStore.CHEAP).encode("pencil".toCharArray()))
                .bridge();
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    /** Valid messages to mutate, per parser. */
    static final List<String> SEEDS = List.of(
            "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
            "y,a=user,n=us=2Cer=3D,r=abc,x=ext",
            "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
            "\0user\0pencil",
            "authz\0user\0pencil",
            "user b913a602c7eda7a495b4e6e7334d3890");

    interface Parser {
        void parse(byte[] input) throws SaslException;
    }

    private static byte[] mutate(Random r, byte[] seed) {
        byte[] b = seed.clone();
        int ops = 1 + r.nextInt(4);
        for (int i = 0; i < ops; i++) {
            switch (r.nextInt(6)) {
                case 0 -> { if (b.length > 0) b[r.nextInt(b.length)] = (byte) r.nextInt(256); }
                case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));
                case 2 -> {
                    byte[] special = {',', '=', 0, ' ', '@', (byte) 0xff, (byte) 0xc3, 'p', 'm'};
                    int at = r.nextInt(b.length + 1);
                    byte[] n = new byte[b.length + 1];
                    System.arraycopy(b, 0, n, 0, at);
                    n[at] = special[r.nextInt(special.length)];
                    System.arraycopy(b, at, n, at + 1, b.length - at);
                    b = n;
                }
                case 3 -> { // repeat a slice: long inputs
                    int len = Math.min(b.length, 1 + r.nextInt(64));
                    byte[] n = new byte[b.length + len * (1 + r.nextInt(200))];
                    System.arraycopy(b, 0, n, 0, b.length);
                    for (int k = b.length; k < n.length; k++) {
                        n[k] = b.length == 0 ? (byte) 'a' : b[k % b.length];
                    }
                    b = n;
                }
                case 4 -> { if (b.length > 1) { int x = r.nextInt(b.length); int y = r.nextInt(b.length); byte t = b[x]; b[x] = b[y]; b[y] = t; } }
                default -> {
                    byte[] n = new byte[r.nextInt(300)];
                    r.nextBytes(n);
                    b = n;
                }
            }
        }
        return b;
    }

    private static void fuzz(String name, int rounds, Parser parser) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Random r = new Random(SEED ^ name.hashCode());
            for (int round = 0; round < rounds; round++) {
                final int i = round;
                byte[] input = i % 3 == 0 ? randomBytes(r)
                        : mutate(r, SEEDS.get(r.nextInt(SEEDS.size())).getBytes(StandardCharsets.UTF_8));
                try {
                    parser.parse(input);
                } catch (SaslException e) {
                    assertFalse(e.getCause() instanceof RuntimeException,
                            () -> name + " round " + i + " (seed " + SEED + "): bug path " + e.getCause());
                } catch (RuntimeException e) {
                    throw new AssertionError(name + " round " + i + " (seed " + SEED + ") threw " + e, e);
                }
            }
        });
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[r.nextInt(r.nextBoolean() ? 64 : 20_000)];
        r.nextBytes(b);
        return b;
    }

    @Test
    void scramClientFirst() {
        fuzz("client-first", 50_000, ScramMessages::parseClientFirst);
    }

    @Test
    void scramClientFinal() {
        fuzz("client-final", 50_000, ScramMessages::parseClientFinal);
    }

    @Test
    void plainMessage() {
        fuzz("plain", 50_000, m -> {
            PlainServer.Parsed p = PlainServer.parse(m);
            Arrays.fill(p.password(), (byte) 0);
        });
    }

    @Test
    void cramMd5Response() {
        fuzz("cram-md5", 50_000, CramMd5Server::parse);
    }

    /** Whole servers: every step fed fuzzed input, including after a valid first step. */
    private void fuzzServer(String name, int rounds, Supplier<SaslServer> servers, byte[] validFirst) {
        fuzz(name + "-server", rounds, m -> {
            SaslServer s = servers.get();
            if (validFirst != null && (m.length & 1) == 0) {
                s.evaluateResponse(validFirst);
            }
            s.evaluateResponse(m);
            if (!s.isComplete()) {
                s.evaluateResponse(m);
            }
        });
    }

    @Test
    void servers() {
        fuzzServer("plain", 3_000, () -> new PlainServer(bridge, null), null);
        fuzzServer("login", 3_000, () -> new LoginServer(bridge, null), "user".getBytes(StandardCharsets.UTF_8));
        fuzzServer("cram", 3_000, () -> new CramMd5Server(bridge, null, "vm"), new byte[0]);
        fuzzServer("scram", 3_000, () -> new ScramServer(ScramVariant.SHA_1, bridge, null, () -> "3rfcNHYJY1ZVvWVs7j"),
                "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL".getBytes(StandardCharsets.UTF_8));
    }
}
