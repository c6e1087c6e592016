package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;

/**
 * Reads LF-terminated lines from a channel with a hard bound on their length, so a peer cannot
 * make the daemon buffer without limit.
 *
 * <p>Reads go straight to the channel (not through {@code Channels.newInputStream}, whose reads
 * hold the channel's blocking lock and would block replies written from other threads).
 */
final class LineReader {
    private final ReadableByteChannel channel;
    private final ByteBuffer buffer;
    private final int maxLength;
    private int scanned;

    /** @param maxLength longest line accepted, without its LF */
    LineReader(ReadableByteChannel channel, int maxLength) {
        this.channel = channel;
        this.maxLength = maxLength;
        this.buffer = ByteBuffer.allocate(maxLength + 1);
        buffer.flip();
    }

    /**
     * The next line without its LF, or null at end of stream (a last line without LF is dropped:
     * a peer that closes mid-line has abandoned it).
     *
     * @throws LineTooLongException if no LF arrives within {@code maxLength} bytes
     */
    byte[] readLine() throws IOException {
        while (true) {
            int start = buffer.position();
            for (int i = start + scanned; i < buffer.limit(); i++) {
                if (buffer.get(i) == '\n') {
                    byte[] line = Arrays.copyOfRange(buffer.array(), start, i);
                    buffer.position(i + 1);
                    scanned = 0;
                    return line;
                }
            }
            scanned = buffer.limit() - start;
            buffer.compact();
            if (!buffer.hasRemaining()) {
                throw new LineTooLongException(maxLength);
            }
            int n = channel.read(buffer);
            buffer.flip();
            if (n < 0) {
                return null;
            }
        }
    }

    /** A line longer than the bound. */
    static final class LineTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        LineTooLongException(int max) {
            super("line longer than " + max + " bytes");
        }
    }
}
