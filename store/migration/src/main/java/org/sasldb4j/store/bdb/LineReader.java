package org.sasldb4j.store.bdb;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a text dump into lines of raw bytes (LF or CRLF), counting line numbers for messages.
 * Bytes, not characters: the dump formats are ASCII, and decoding is the caller's business.
 */
final class LineReader implements AutoCloseable {
    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int end;
    private long number;
    private byte[] line = new byte[256];
    private int length;

    LineReader(InputStream in) {
        this.in = in;
    }

    /** Reads the next line; false at the end of input. */
    boolean next() throws IOException {
        length = 0;
        boolean any = false;
        while (true) {
            if (pos == end) {
                end = in.read(buf, 0, buf.length);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    if (any) {
                        break; // last line without a line end
                    }
                    return false;
                }
            }
            any = true;
            int start = pos;
            while (pos < end && buf[pos] != '\n') {
                pos++;
            }
            append(start, pos);
            if (pos < end) {
                pos++; // the LF
                break;
            }
        }
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        number++;
        return true;
    }

    private void append(int from, int to) {
        int n = to - from;
        if (length + n > line.length) {
            byte[] bigger = Arrays.copyOf(line, Math.max(line.length * 2, length + n));
            Arrays.fill(line, (byte) 0); // dump lines hold passwords
            line = bigger;
        }
        System.arraycopy(buf, from, line, length, n);
        length += n;
    }

    /** The current line's bytes; valid until the next call to {@link #next()}. */
    byte[] bytes() {
        return line;
    }

    int length() {
        return length;
    }

    /** The current line as ISO-8859-1 text: only for header lines, never for data. */
    String text() {
        return new String(line, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** "line N", for messages. */
    String where() {
        return "line " + number;
    }

    @Override
    public void close() throws IOException {
        Arrays.fill(line, (byte) 0);
        Arrays.fill(buf, (byte) 0);
        in.close();
    }
}
