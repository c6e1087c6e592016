package org.sasldb4j.store.lmdb;

import java.nio.ByteBuffer;

/** Copies between heap arrays and the direct buffers LMDB reads and writes. */
final class Buffers {
    private Buffers() {}

    private static final ThreadLocal<ByteBuffer> KEY = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(org.sasldb4j.store.Entry.MAX_KEY_LENGTH));

    /**
     * The key in this thread's reusable key buffer, or null if it is longer than LMDB allows
     * (no such key can exist). Valid until the thread's next call.
     */
    static ByteBuffer key(byte[] key) {
        if (key.length == 0 || key.length > org.sasldb4j.store.Entry.MAX_KEY_LENGTH) {
            return null;
        }
        ByteBuffer b = KEY.get();
        b.clear();
        b.put(key).flip();
        return b;
    }

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

    /** True if the remaining bytes of {@code b} start with {@code prefix}. */
    static boolean startsWith(ByteBuffer b, byte[] prefix) {
        if (b.remaining() < prefix.length) {
            return false;
        }
        int at = b.position();
        for (int i = 0; i < prefix.length; i++) {
            if (b.get(at + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    static void wipe(ByteBuffer b) {
        b.clear();
        while (b.hasRemaining()) {
            b.put((byte) 0);
        }
    }
}
