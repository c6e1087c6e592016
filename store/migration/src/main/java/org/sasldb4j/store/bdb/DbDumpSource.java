package org.sasldb4j.store.bdb;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Consumer;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.HexDigits;
import org.sasldb4j.store.StoreFormat;

/**
 * The text output of {@code db_dump} / {@code db5.3_dump}: sections of {@code VERSION=3},
 * {@code key=value} header lines, {@code HEADER=END}, then one line per item starting with a
 * space (hex pairs, or with {@code -p} printable characters and {@code \xx} escapes), then
 * {@code DATA=END}.
 *
 * <p>Records are delivered as they are read; a dump cut short is only noticed at its end, so a
 * caller must not commit anything before the pass returns.
 */
final class DbDumpSource extends TextDumpSource {
    DbDumpSource(Path path, boolean salvage) {
        super(path, salvage, StoreFormat.DB_DUMP);
    }

    @Override
    void read(LineReader r, DamageSink sink, Consumer<? super Entry> action) throws IOException {
        boolean sections = false;
        while (r.next()) {
            if (r.length() == 0) {
                continue;
            }
            section(r, sink, action);
            sections = true;
        }
        if (!sections) {
            throw sink.damage("no VERSION line: not a db_dump output");
        }
    }

    /** One database of the dump; the reader is on its VERSION line. */
    private void section(LineReader r, DamageSink sink, Consumer<? super Entry> action) throws IOException {
        String version = r.text();
        if (!version.equals("VERSION=3") && !version.equals("VERSION=2")) {
            throw sink.damage(r.where(), "expected VERSION=3, found a line of " + r.length() + " bytes");
        }
        boolean print = header(r, sink);
        Pairs pairs = new Pairs(sink, action);
        while (r.next()) {
            byte[] b = r.bytes();
            int n = r.length();
            if (n > 0 && b[0] == ' ') {
                pairs.item(decode(b, n, print, r.where(), sink), r.where());
            } else if (r.text().equals("DATA=END")) {
                pairs.end(r.where());
                return;
            } else {
                sink.skip(sink.damage(r.where(), "data line does not start with a space"));
                pairs.item(null, r.where());
            }
        }
        pairs.end(r.where());
        sink.skip(sink.damage(r.where(), "the dump ends without DATA=END (truncated)"));
    }

    /** Reads header lines up to HEADER=END; returns true for the printable format. */
    private boolean header(LineReader r, DamageSink sink) throws IOException {
        boolean print = false;
        while (r.next()) {
            String line = r.text();
            if (line.equals("HEADER=END")) {
                return print;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw sink.damage(r.where(), "header line without '='");
            }
            String name = line.substring(0, eq);
            String value = line.substring(eq + 1);
            if (name.equals("format")) {
                if (!value.equals("print") && !value.equals("bytevalue")) {
                    throw sink.damage(r.where(), "unknown format '" + value + "'");
                }
                print = value.equals("print");
            } else if (name.equals("type") && !value.equals("hash") && !value.equals("btree")) {
                throw sink.damage(r.where(), "database type '" + value + "' cannot hold a sasldb (hash or btree)");
            }
        }
        throw sink.damage(r.where(), "the dump ends inside a header (truncated)");
    }

    /** An item line without its leading space; {@code null} after reporting bad syntax. */
    private static byte[] decode(byte[] b, int n, boolean print, String where, DamageSink sink) {
        byte[] out = print ? printable(b, n) : HexDigits.decodeOrNull(b, 1, n);
        if (out == null) {
            sink.skip(sink.damage(where, print ? "bad escape in a printable item" : "bad hex in an item"));
        }
        return out;
    }

    private static byte[] printable(byte[] b, int n) {
        byte[] out = new byte[n - 1];
        int len = 0;
        for (int i = 1; i < n; i++) {
            if (b[i] != '\\') {
                out[len++] = b[i];
            } else if (i + 1 < n && b[i + 1] == '\\') {
                out[len++] = '\\';
                i++;
            } else if (i + 2 < n && HexFormat.isHexDigit(b[i + 1]) && HexFormat.isHexDigit(b[i + 2])) {
                out[len++] = (byte) (HexFormat.fromHexDigit(b[i + 1]) << 4 | HexFormat.fromHexDigit(b[i + 2]));
                i += 2;
            } else {
                Arrays.fill(out, (byte) 0);
                return null;
            }
        }
        byte[] exact = Arrays.copyOf(out, len);
        Arrays.fill(out, (byte) 0);
        return exact;
    }
}
