package org.sasldb4j.store.secret;

/**
 * MD5 (RFC 1321) that can start from a saved chaining state, which {@link
 * java.security.MessageDigest} cannot. CRAM-MD5 contexts (RFC 2104 §4) are exactly such states:
 * the state after absorbing one 64-byte block {@code key XOR pad}.
 *
 * <p>Only what HMAC-MD5 from a context needs: {@link #compress} for one block and {@link
 * #finish} to pad and finalise a message whose first 64 bytes were already absorbed.
 */
final class Md5 {
    private static final int[] S = {
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21
    };
    private static final int[] K = new int[64];

    static {
        for (int i = 0; i < 64; i++) {
            K[i] = (int) (long) Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296.0);
        }
    }

    /** The RFC 1321 initial state A, B, C, D. */
    static int[] initialState() {
        return new int[] {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    }

    private Md5() {}

    /** Absorbs the 64 bytes at {@code block[off..off+63]} into {@code state}. */
    static void compress(int[] state, byte[] block, int off) {
        int[] x = new int[16];
        for (int i = 0; i < 16; i++) {
            int p = off + 4 * i;
            x[i] = (block[p] & 0xff) | (block[p + 1] & 0xff) << 8 | (block[p + 2] & 0xff) << 16 | (block[p + 3] & 0xff) << 24;
        }
        int a = state[0];
        int b = state[1];
        int c = state[2];
        int d = state[3];
        for (int i = 0; i < 64; i++) {
            int f;
            int g;
            if (i < 16) {
                f = (b & c) | (~b & d);
                g = i;
            } else if (i < 32) {
                f = (d & b) | (~d & c);
                g = (5 * i + 1) & 15;
            } else if (i < 48) {
                f = b ^ c ^ d;
                g = (3 * i + 5) & 15;
            } else {
                f = c ^ (b | ~d);
                g = (7 * i) & 15;
            }
            int t = d;
            d = c;
            c = b;
            b = b + Integer.rotateLeft(a + f + K[i] + x[g], S[i]);
            a = t;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        java.util.Arrays.fill(x, 0);
    }

    /**
     * Finishes an MD5 whose state already absorbed {@code prefixLength} bytes (a multiple of 64)
     * with {@code data}, returning the 16-byte digest. {@code state} is not modified.
     */
    static byte[] finish(int[] state, long prefixLength, byte[] data) {
        int[] h = state.clone();
        long total = prefixLength + data.length;
        int padded = ((data.length + 8) / 64 + 1) * 64;
        byte[] buf = new byte[padded];
        System.arraycopy(data, 0, buf, 0, data.length);
        buf[data.length] = (byte) 0x80;
        long bits = total * 8;
        for (int i = 0; i < 8; i++) {
            buf[padded - 8 + i] = (byte) (bits >>> (8 * i));
        }
        for (int off = 0; off < padded; off += 64) {
            compress(h, buf, off);
        }
        java.util.Arrays.fill(buf, (byte) 0);
        byte[] out = new byte[16];
        for (int i = 0; i < 4; i++) {
            for (int k = 0; k < 4; k++) {
                out[4 * i + k] = (byte) (h[i] >>> (8 * k));
            }
        }
        java.util.Arrays.fill(h, 0);
        return out;
    }
}
