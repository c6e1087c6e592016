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
        // One buffer as large as the largest valid request: usually a single read() returns the
        // whole request (the client writes it at once), instead of two reads per field.
        ByteBuffer in = ByteBuffer.allocate(fields * (2 + MAX_FIELD));
        byte[][] f = new byte[fields][];
        try {
            int pos = 0;
            for (int i = 0; i < fields; i++) {
                fill(ch, in, pos + 2);
                int n = ((in.get(pos) & 0xFF) << 8) | (in.get(pos + 1) & 0xFF);
                if (n > MAX_FIELD) {
                    throw new FieldTooLongException(i);
                }
                fill(ch, in, pos + 2 + n);
                f[i] = Arrays.copyOfRange(in.array(), pos + 2, pos + 2 + n);
                pos += 2 + n;
            }
        } catch (IOException e) {
            for (byte[] x : f) {
                if (x != null) {
                    Arrays.fill(x, (byte) 0);
                }
            }
            throw e;
        } finally {
            Arrays.fill(in.array(), 0, in.position(), (byte) 0); // only what was read holds secrets
        }
        return new SaslauthdRequest(f);
    }

    /** Bytes of the longest valid request with {@code fields} fields. */
    static int maxLength(int fields) {
        return fields * (2 + MAX_FIELD);
    }

    /**
     * Parses a request from the bytes received so far (index 0 to {@code received}), without
     * blocking: for a reader that collects bytes as they arrive.
     *
     * @return the request, or null if more bytes are needed
     * @throws FieldTooLongException if a field is longer than {@link #MAX_FIELD}
     */
    static SaslauthdRequest parse(byte[] buf, int received, int fields) throws FieldTooLongException {
        int pos = 0;
        for (int i = 0; i < fields; i++) {
            if (received < pos + 2) {
                return null;
            }
            int n = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
            if (n > MAX_FIELD) {
                throw new FieldTooLongException(i);
            }
            if (received < pos + 2 + n) {
                return null;
            }
            pos += 2 + n;
        }
        byte[][] f = new byte[fields][];
        pos = 0;
        for (int i = 0; i < fields; i++) {
            int n = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
            f[i] = Arrays.copyOfRange(buf, pos + 2, pos + 2 + n);
            pos += 2 + n;
        }
        return new SaslauthdRequest(f);
    }

    /** Reads until at least {@code upTo} bytes are buffered. */
    private static void fill(ReadableByteChannel ch, ByteBuffer in, int upTo) throws IOException {
        while (in.position() < upTo) {
            if (ch.read(in) < 0) {
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
