package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random input for the Dovecot line parser, the line reader and the saslauthd request reader:
 * only the documented exceptions, never a hang; and through the sockets, random bytes end in a
 * FAIL or a closed connection while the daemon keeps serving.
 */
@org.junit.jupiter.api.Tag("attack") // hostile input: scripts/attack.sh replays it
class ParserFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", 20261121L);
    private static final byte[] ALPHABET = "\t\n\001AUTHCONTVERSION0123456789=resp=PLAINservice \0\377\r".getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void dovecotParserOnlyThrowsProtocolException() {
        Random r = new Random(SEED);
        for (int i = 0; i < 50_000; i++) {
            byte[] line = randomBytes(r, r.nextInt(64));
            try {
                for (String f : DovecotCodec.split(line)) {
                    try {
                        DovecotCodec.parseId(f);
                    } catch (DovecotCodec.ProtocolException expected) {
                        // fine
                    }
                    DovecotCodec.decodeBase64(f);
                    assertEquals(f, DovecotCodec.unescape(DovecotCodec.escape(f)));
                }
            } catch (DovecotCodec.ProtocolException expected) {
                // fine
            }
        }
    }

    @Test
    void lineReaderBoundsEveryLine() throws Exception {
        Random r = new Random(SEED + 1);
        for (int i = 0; i < 2_000; i++) {
            byte[] input = randomBytes(r, r.nextInt(400));
            LineReader reader = new LineReader(trickle(input, r), 32);
            try {
                byte[] line;
                while ((line = reader.readLine()) != null) {
                    assertTrue(line.length <= 32);
                }
            } catch (LineReader.LineTooLongException expected) {
                // fine
            }
        }
    }

    @Test
    void saslauthdReaderOnlyThrowsIoExceptions() throws Exception {
        Random r = new Random(SEED + 2);
        for (int i = 0; i < 20_000; i++) {
            byte[] input = new byte[r.nextInt(40)];
            r.nextBytes(input);
            if (r.nextBoolean() && input.length > 1) {
                input[0] = 0; // plausible small lengths
                input[1] = (byte) r.nextInt(8);
            }
            try {
                SaslauthdRequest req = SaslauthdRequest.read(trickle(input, r), 4 + r.nextInt(2));
                assertTrue(req.login.length <= SaslauthdRequest.MAX_FIELD);
                req.wipe();
            } catch (EOFException | SaslauthdRequest.FieldTooLongException expected) {
                // fine
            }
        }
    }

    /** The non-blocking parser agrees with the blocking reader on every prefix of random input. */
    @Test
    void saslauthdParserAgreesWithTheReader() throws Exception {
        Random r = new Random(SEED + 4);
        for (int i = 0; i < 20_000; i++) {
            int fields = 4 + r.nextInt(2);
            byte[] input = new byte[r.nextInt(60)];
            r.nextBytes(input);
            for (int f = 0; f + 1 < input.length && r.nextInt(4) != 0; f += 2 + r.nextInt(6)) {
                input[f] = r.nextInt(10) == 0 ? (byte) 1 : 0; // mostly small lengths, sometimes 256+
                input[f + 1] = (byte) r.nextInt(6);
            }
            String viaRead;
            try {
                SaslauthdRequest req = SaslauthdRequest.read(trickle(input, r), fields);
                viaRead = describe(req);
            } catch (EOFException e) {
                viaRead = "incomplete";
            } catch (SaslauthdRequest.FieldTooLongException e) {
                viaRead = "too long";
            }
            byte[] buf = java.util.Arrays.copyOf(input, Math.max(input.length, SaslauthdRequest.maxLength(fields)));
            String viaParse;
            try {
                SaslauthdRequest req = SaslauthdRequest.parse(buf, input.length, fields);
                viaParse = req == null ? "incomplete" : describe(req);
            } catch (SaslauthdRequest.FieldTooLongException e) {
                viaParse = "too long";
            }
            assertEquals(viaRead, viaParse, "input " + java.util.HexFormat.of().formatHex(input));
        }
    }

    private static String describe(SaslauthdRequest req) {
        return java.util.HexFormat.of().formatHex(req.login) + "/" + java.util.HexFormat.of().formatHex(req.password)
                + "/" + java.util.HexFormat.of().formatHex(req.service) + "/" + java.util.HexFormat.of().formatHex(req.realm)
                + "/" + java.util.HexFormat.of().formatHex(req.clientAddress);
    }

    @Test
    void randomBytesOnTheSocketsEndCleanly() throws Exception {
        DaemonSettings s = DaemonSettings.forTests("example.org")
                .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofMillis(500));
        try (DaemonFixture fx = DaemonFixture.start(s, DaemonFixture.users(), 0, Duration.ZERO)) {
            Random r = new Random(SEED + 3);
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int i = 0; i < 150; i++) {
                    byte[] junk = randomBytes(r, r.nextInt(300));
                    // Half the time after a valid greeting, so the command parser sees it too.
                    byte[] prefix = r.nextBoolean() ? "VERSION\t1\t0\n".getBytes(StandardCharsets.US_ASCII) : new byte[0];
                    String out = exchange(fx.dovecot(), concat(prefix, junk));
                    for (String line : out.split("\n")) {
                        assertTrue(line.isEmpty() || line.matches("(VERSION|MECH|SPID|CUID|COOKIE|DONE|FAIL|CONT|OK)(\t.*)?"),
                                "unexpected reply line: " + line);
                    }
                    exchange(fx.saslauthd(), randomBytes(r, r.nextInt(40)));
                }
            });
            // Still serving.
            try (DovecotClient c = DovecotClient.postfix(fx.dovecot())) {
                c.send("AUTH\t1\tPLAIN\tservice=smtp\tresp=" + DovecotClient.b64("\0alice\0alicepw"));
                assertEquals("OK\t1\tuser=alice@example.org", c.readLine());
            }
            assertEquals("OK", SaslauthdClient.ask(fx.saslauthd(), "alice", "alicepw", "smtp", ""));
        }
    }

    /** Sends {@code bytes}, keeps the connection open, returns what arrives until the server closes. */
    private static String exchange(java.nio.file.Path socket, byte[] bytes) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            try {
                ch.write(ByteBuffer.wrap(bytes));
            } catch (IOException e) {
                return "";
            }
            // The server closes: on a protocol error at once, otherwise after its idle/io timeout.
            try {
                return new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        } catch (IOException e) {
            fail("connect failed: " + e);
            return "";
        }
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : ALPHABET[r.nextInt(ALPHABET.length)];
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** A channel handing out the input in random small pieces, then EOF. */
    private static ReadableByteChannel trickle(byte[] input, Random r) {
        return new ReadableByteChannel() {
            int pos;

            @Override
            public int read(ByteBuffer dst) {
                if (pos >= input.length) {
                    return -1;
                }
                int n = Math.min(Math.min(dst.remaining(), input.length - pos), 1 + r.nextInt(7));
                dst.put(input, pos, n);
                pos += n;
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };
    }
}
