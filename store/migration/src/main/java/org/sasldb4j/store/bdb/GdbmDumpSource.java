package org.sasldb4j.store.bdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Consumer;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreFormat;

/**
 * The ASCII output of {@code gdbm_dump}: comment and {@code #:name=value} header lines up to
 * {@code # End of header}; then per item a {@code #:len=N} line followed by base64 lines; then
 * optionally {@code #:count=N} (the number of pairs) and {@code # End of data}. Items alternate
 * key, value. The only portable form of a GDBM sasldb2 (Fedora, RHEL 9).
 *
 * <p>Records are delivered as they are read; a dump cut short is only noticed at its end.
 */
final class GdbmDumpSource extends TextDumpSource {
    private static final String END_HEADER = "# End of header";
    private static final String END_DATA = "# End of data";
    private static final String LEN = "#:len=";
    private static final String COUNT = "#:count=";

    GdbmDumpSource(Path path, boolean salvage) {
        super(path, salvage, StoreFormat.GDBM_DUMP);
    }

    @Override
    void read(LineReader r, DamageSink sink, Consumer<? super Entry> action) throws IOException {
        header(r, sink);
        data(r, sink, new Pairs(sink, action), Files.size(path()));
    }

    private static void header(LineReader r, DamageSink sink) throws IOException {
        while (r.next()) {
            if (r.length() == 0 || r.bytes()[0] != '#') {
                throw sink.damage(r.where(), "header line does not start with '#'");
            }
            if (r.text().equals(END_HEADER)) {
                return;
            }
        }
        throw sink.damage(r.where(), "the dump ends inside its header (truncated)");
    }

    private static void data(LineReader r, DamageSink sink, Pairs pairs, long fileSize) throws IOException {
        Item item = null;
        while (r.next()) {
            byte[] b = r.bytes();
            int n = r.length();
            if (n == 0 || b[0] != '#') {
                if (item == null) {
                    sink.skip(sink.damage(r.where(), "data outside an item (no #:len line before it)"));
                } else {
                    item.append(b, n);
                }
                continue;
            }
            if (item != null) {
                pairs.item(item.finish(sink), item.where);
                item = null;
            }
            String line = r.text();
            if (line.startsWith(LEN)) {
                long len = number(line.substring(LEN.length()));
                if (len < 0 || len > fileSize) {
                    sink.skip(sink.damage(r.where(), "bad item length"));
                    pairs.item(null, r.where()); // keeps the key/value alternation
                } else {
                    item = new Item(len, r.where());
                }
            } else if (line.startsWith(COUNT)) {
                long count = number(line.substring(COUNT.length()));
                if (count != pairs.count()) {
                    sink.skip(sink.damage(r.where(), "the dump says it holds " + line.substring(COUNT.length())
                            + " records, but " + pairs.count() + " were found"));
                }
            } else if (line.equals(END_DATA)) {
                pairs.end(r.where());
                return;
            }
            // other comment lines carry no data
        }
        if (item != null) {
            pairs.item(item.finish(sink), item.where);
        }
        pairs.end(r.where());
        sink.skip(sink.damage(r.where(), "the dump ends without '" + END_DATA + "' (truncated)"));
    }

    /** A non-negative decimal, or -1. */
    private static long number(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** The base64 text of one item, collected line by line. */
    private static final class Item {
        final long length;
        final String where;
        byte[] text = new byte[128];
        int used;

        Item(long length, String where) {
            this.length = length;
            this.where = where;
        }

        void append(byte[] b, int n) {
            if (used + n > text.length) {
                byte[] bigger = Arrays.copyOf(text, Math.max(text.length * 2, used + n));
                Arrays.fill(text, (byte) 0);
                text = bigger;
            }
            System.arraycopy(b, 0, text, used, n);
            used += n;
        }

        /** The decoded bytes, or {@code null} after reporting a problem. */
        byte[] finish(DamageSink sink) {
            byte[] out;
            try {
                ByteBuffer decoded = Base64.getDecoder().decode(ByteBuffer.wrap(text, 0, used));
                out = new byte[decoded.remaining()];
                decoded.get(out);
                Arrays.fill(decoded.array(), (byte) 0);
            } catch (IllegalArgumentException e) {
                sink.skip(sink.damage(where, "item is not valid base64"));
                return null;
            } finally {
                Arrays.fill(text, (byte) 0);
            }
            if (out.length != length) {
                Arrays.fill(out, (byte) 0);
                sink.skip(sink.damage(where, "item decodes to " + out.length + " bytes, not the " + length + " announced"));
                return null;
            }
            return out;
        }
    }
}
