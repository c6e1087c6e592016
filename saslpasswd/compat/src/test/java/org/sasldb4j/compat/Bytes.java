package org.sasldb4j.compat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Byte strings as the cases see them: outputs are compared byte for byte and shown escaped. */
final class Bytes {

    private Bytes() {
    }

    /** Printable ASCII as is, everything else as C escapes; long values cut. */
    static String show(byte[] b) {
        StringBuilder s = new StringBuilder("\"");
        int n = Math.min(b.length, 1200);
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            switch (c) {
                case '\n' -> s.append("\\n");
                case '\t' -> s.append("\\t");
                case '\r' -> s.append("\\r");
                case '\\' -> s.append("\\\\");
                case '"' -> s.append("\\\"");
                default -> {
                    if (c >= 32 && c < 127) {
                        s.append((char) c);
                    } else {
                        s.append(String.format("\\x%02x", c));
                    }
                }
            }
        }
        s.append('"');
        if (b.length > n) {
            s.append("...(").append(b.length).append(" bytes)");
        }
        return s.toString();
    }

    static byte[] replace(byte[] in, byte[] what, byte[] with) {
        if (what.length == 0) {
            return in;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        int i = 0;
        while (i < in.length) {
            if (startsWith(in, i, what)) {
                out.writeBytes(with);
                i += what.length;
            } else {
                out.write(in[i++]);
            }
        }
        return out.toByteArray();
    }

    static boolean startsWith(byte[] in, int at, byte[] prefix) {
        return in.length - at >= prefix.length && Arrays.equals(in, at, at + prefix.length, prefix, 0, prefix.length);
    }

    /** Lines without their LF (a last line without LF counts; no empty line after a final LF). */
    static List<byte[]> lines(byte[] b) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n') {
                lines.add(Arrays.copyOfRange(b, start, i));
                start = i + 1;
            }
        }
        if (start < b.length) {
            lines.add(Arrays.copyOfRange(b, start, b.length));
        }
        return lines;
    }

    static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
