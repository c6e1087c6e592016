package org.sasldb4j.sasldblistusers;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.sasldb4j.store.Entry;

/**
 * sasldblistusers2's output: {@code authid@realm: property}, one line per record, the raw bytes
 * of each component (no decoding, so any byte comes out as stored), except control bytes
 * (0x00-0x1F, 0x7F), which are printed as {@code \xHH}: a name holding a newline or a TAB must
 * not forge lines of the listing (Cyrus prints them raw). saslpasswd refuses such names; they
 * can still come from a converted Cyrus file or a batch's {@code add-hex}.
 */
final class TextListing implements Listing {
    private static final byte[] SEPARATOR = {':', ' '};
    private final OutputStream out;

    /** @param out a buffered stream; one write per component, flushed at the end */
    TextListing(OutputStream out) {
        this.out = out;
    }

    @Override
    public void add(Entry e) {
        try {
            write(e.authidBytes());
            out.write('@');
            write(e.realmBytes());
            out.write(SEPARATOR);
            write(e.propertyBytes());
            out.write('\n');
        } catch (IOException x) {
            throw Listing.unchecked(x);
        } finally {
            e.wipe(); // the text listing never needs the value
        }
    }

    /**
     * The bytes as they are, or with control bytes and backslashes escaped as {@code \xHH} when
     * there are any: a backslash is escaped too, so a name holding the text {@code \x0a} cannot
     * pass for an escaped newline.
     */
    private void write(byte[] b) throws IOException {
        if (!hasControl(b)) {
            out.write(b);
            return;
        }
        for (byte x : b) {
            if (isControl(x) || x == '\\') {
                out.write(("\\x" + HexFormat.of().toHexDigits(x)).getBytes(StandardCharsets.US_ASCII));
            } else {
                out.write(x);
            }
        }
    }

    static boolean hasControl(byte[] b) {
        for (byte x : b) {
            if (isControl(x) || x == '\\') {
                return true;
            }
        }
        return false;
    }

    static boolean isControl(byte x) {
        return (x >= 0 && x < 0x20) || x == 0x7F;
    }

    @Override
    public void close() {
        try {
            out.flush();
        } catch (IOException x) {
            throw Listing.unchecked(x);
        }
    }
}
