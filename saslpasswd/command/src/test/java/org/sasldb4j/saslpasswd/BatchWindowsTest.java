package org.sasldb4j.saslpasswd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Property test of the batch windows: whatever the bytes, the windows put together are the input. */
class BatchWindowsTest {
    /** Delivers at most a few bytes per read, as a pipe may. */
    private static InputStream trickle(byte[] data, Random rnd) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + rnd.nextInt(7)));
            }
        };
    }

    @Test
    void windowsReassembleTheInputAndNumberTheLines() throws IOException {
        Random rnd = new Random(42);
        for (int round = 0; round < 500; round++) {
            byte[] data = new byte[rnd.nextInt(400)];
            for (int i = 0; i < data.length; i++) {
                data[i] = rnd.nextInt(5) == 0 ? (byte) '\n' : (byte) rnd.nextInt(256);
            }
            int maxLines = 1 + rnd.nextInt(5);
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            int expectedFirst = 1;
            try (BatchWindows w = new BatchWindows(rnd.nextBoolean() ? trickle(data, rnd)
                    : new ByteArrayInputStream(data), maxLines)) {
                for (byte[] win = w.next(); win != null; win = w.next()) {
                    assertEquals(expectedFirst, w.firstLine());
                    int lines = 0;
                    for (byte b : win) {
                        lines += b == '\n' ? 1 : 0;
                    }
                    assertTrue(lines <= maxLines, "at most maxLines lines per window");
                    expectedFirst += lines + (win[win.length - 1] == '\n' ? 0 : 1);
                    joined.write(win);
                }
            }
            assertArrayEquals(data, joined.toByteArray(), "round " + round);
        }
    }

    @Test
    void anOverlongLineBecomesOneMarkerThatTheParserRefuses() throws IOException {
        byte[] data = ("add a@r pw\n" + "x".repeat(BatchWindows.MAX_LINE_BYTES + 5) + "\nadd b@r pw\n").getBytes();
        try (BatchWindows w = new BatchWindows(new ByteArrayInputStream(data), 10)) {
            byte[] win = w.next();
            assertEquals("add a@r pw\n\0\nadd b@r pw\n", new String(win, java.nio.charset.StandardCharsets.ISO_8859_1));
            BatchParser.Result r = new BatchParser("f", "r".getBytes()).parse(win, w.firstLine());
            assertEquals(1, r.errorCount());
            assertTrue(r.errors().get(0).startsWith("f:2: the line is longer than"), r.errors().toString());
        }
    }
}
