package org.sasldb4j.auxprop.daemon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A saslauthd-protocol client as libsasl's {@code saslauthd_verify_password} behaves. */
final class SaslauthdClient {
    private SaslauthdClient() {}

    /** Sends one request of counted strings and returns the reply text (null if none). */
    static String ask(Path socket, String... fields) throws IOException {
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        for (String f : fields) {
            byte[] b = f.getBytes(StandardCharsets.UTF_8);
            req.write(b.length >> 8);
            req.write(b.length);
            req.write(b, 0, b.length);
        }
        return askRaw(socket, req.toByteArray());
    }

    static String askRaw(Path socket, byte[] request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer b = ByteBuffer.wrap(request);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            InputStream in = Channels.newInputStream(ch);
            int hi = in.read();
            int lo = in.read();
            if (hi < 0 || lo < 0) {
                return null;
            }
            byte[] text = in.readNBytes((hi << 8) | lo);
            // One request per connection: the server closes after replying.
            if (in.read() != -1) {
                throw new IOException("server kept the connection open");
            }
            return new String(text, StandardCharsets.UTF_8);
        }
    }
}
