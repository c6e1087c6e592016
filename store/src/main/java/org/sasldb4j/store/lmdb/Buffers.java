package org.sasldb4j.store.lmdb;

import java.nio.ByteBuffer;

/** Copies between heap arrays and the direct buffers LMDB reads and writes. */
final class Buffers {
    private Buffers() {}

    static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(1, bytes.length));
        b.put(bytes).flip();
        return b;
    }

    /** Copies the remaining bytes out, so they stay valid after the transaction ends. */
    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static void wipe(ByteBuffer b) {
        b.clear();
        while (b.hasRemaining()) {
            b.put((byte) 0);
        }
    }

    /** A key for a message: printable ASCII kept, everything else as {@code \xNN}. */
    static String printable(byte[] key) {
        StringBuilder sb = new StringBuilder();
        for (byte x : key) {
            int c = x & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
            if (sb.length() > 200) {
                sb.append("...");
                break;
            }
        }
        return sb.toString();
    }
}
