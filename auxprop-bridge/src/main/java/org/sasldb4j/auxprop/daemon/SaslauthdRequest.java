package org.sasldb4j.auxprop.daemon;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;

/**
 * One saslauthd request: login, password, service, realm (and, opt-in, the client address),
 * each a counted string (16-bit big-endian length, then the bytes, no NUL).
 *
 * <p><b>Security:</b> holds the password bytes; {@link #wipe()} them when done. {@link #toString()}
 * never shows them.
 */
final class SaslauthdRequest {
    /** saslauthd's {@code MAX_REQ_LEN}: a longer field is refused. */
    static final int MAX_FIELD = 256;

    final byte[] login;
    final byte[] password;
    final byte[] service;
    final byte[] realm;
    final byte[] clientAddress;

    private SaslauthdRequest(byte[][] f) {
        this.login = f[0];
        this.password = f[1];
        this.service = f[2];
        this.realm = f[3];
        this.clientAddress = f.length > 4 ? f[4] : new byte[0];
    }

    /**
     * Reads one request.
     *
     * @param fields 4, or 5 with the client address
     * @throws FieldTooLongException if a field is longer than {@link #MAX_FIELD}
     * @throws EOFException if the peer closes before the request is complete
     */
    static SaslauthdRequest read(ReadableByteChannel ch, int fields) throws IOException {
        byte[][] f = new byte[fields][];
        try {
            for (int i = 0; i < fields; i++) {
                ByteBuffer len = ByteBuffer.allocate(2);
                fill(ch, len);
                int n = len.getShort(0) & 0xFFFF;
                if (n > MAX_FIELD) {
                    throw new FieldTooLongException(i);
                }
                ByteBuffer b = ByteBuffer.allocate(n);
                fill(ch, b);
                f[i] = b.array();
            }
        } catch (IOException e) {
            for (byte[] x : f) {
                if (x != null) {
                    Arrays.fill(x, (byte) 0);
                }
            }
            throw e;
        }
        return new SaslauthdRequest(f);
    }

    private static void fill(ReadableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("request incomplete");
            }
        }
    }

    /** The reply as sent: a counted string. */
    static ByteBuffer reply(String text) {
        byte[] t = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + t.length);
        b.putShort((short) t.length).put(t).flip();
        return b;
    }

    void wipe() {
        Arrays.fill(password, (byte) 0);
    }

    @Override
    public String toString() {
        return "saslauthd request (" + login.length + "-byte login, password not shown)";
    }

    /** A field over the limit: answered {@code NO}, then the connection is closed. */
    static final class FieldTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        FieldTooLongException(int field) {
            super("field " + (field + 1) + " longer than " + MAX_FIELD + " bytes");
        }
    }
}
