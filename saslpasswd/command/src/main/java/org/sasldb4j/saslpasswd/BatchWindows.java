package org.sasldb4j.saslpasswd;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.sasldb4j.store.secret.Wipe;

/**
 * Reads a batch as windows of at most {@code maxLines} whole lines, so that a batch of any length
 * is parsed and applied in bounded memory. A line longer than {@link #MAX_LINE_BYTES} is not kept:
 * it is replaced by a single NUL byte, which {@link BatchParser} reports as too long.
 *
 * <p><b>Security:</b> windows hold passwords; the caller wipes each one after use, and the
 * internal buffers are wiped as they are released.
 */
final class BatchWindows implements Closeable {
    /** Longer than any valid line (a 2048-byte password as hex plus a maximal key as hex). */
    static final int MAX_LINE_BYTES = 16 * 1024;

    private final InputStream in;
    private final int maxLines;
    private final byte[] buf = new byte[64 * 1024];
    private int bufPos;
    private int bufEnd;
    private boolean eof;
    private int nextLine = 1;
    private int firstLine;

    BatchWindows(InputStream in, int maxLines) {
        this.in = in;
        this.maxLines = maxLines;
    }

    /** The line number of the first line of the window last returned by {@link #next()}. */
    int firstLine() {
        return firstLine;
    }

    /** The next window (whole lines, each but possibly the last ending in LF), or null at the end. */
    byte[] next() throws IOException {
        firstLine = nextLine;
        byte[] out = new byte[Math.min(1 << 20, 64 * Math.max(1, maxLines))];
        int n = 0;
        int lines = 0;
        int lineStart = 0;
        boolean overlong = false;
        while (lines < maxLines) {
            if (bufPos == bufEnd && !fill()) {
                break;
            }
            int lf = bufPos;
            while (lf < bufEnd && buf[lf] != '\n') {
                lf++;
            }
            int len = lf - bufPos;
            if (!overlong) {
                if (n - lineStart + len > MAX_LINE_BYTES) {
                    overlong = true;
                    Arrays.fill(out, lineStart, n, (byte) 0);
                    n = lineStart;
                    out = ensure(out, n + 2);
                    out[n++] = 0; // the marker BatchParser reports
                } else {
                    out = ensure(out, n + len + 1);
                    System.arraycopy(buf, bufPos, out, n, len);
                    n += len;
                }
            }
            if (lf < bufEnd) { // end of line
                out[n++] = '\n';
                lines++;
                nextLine++;
                lineStart = n;
                overlong = false;
                bufPos = lf + 1;
            } else {
                bufPos = bufEnd;
            }
        }
        if (n > lineStart) {
            nextLine++; // a last line without LF
        }
        if (n == 0) {
            Wipe.bytes(out);
            return null;
        }
        byte[] window = Arrays.copyOf(out, n);
        Wipe.bytes(out);
        return window;
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        Arrays.fill(buf, (byte) 0);
        int r = in.read(buf);
        if (r < 0) {
            eof = true;
            return false;
        }
        bufPos = 0;
        bufEnd = r;
        return true;
    }

    private static byte[] ensure(byte[] a, int size) {
        if (size <= a.length) {
            return a;
        }
        byte[] b = Arrays.copyOf(a, Math.max(size, a.length * 2));
        Wipe.bytes(a);
        return b;
    }

    @Override
    public void close() throws IOException {
        Arrays.fill(buf, (byte) 0);
        in.close();
    }
}
