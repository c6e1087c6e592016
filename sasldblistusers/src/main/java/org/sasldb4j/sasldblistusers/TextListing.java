package org.sasldb4j.sasldblistusers;

import java.io.IOException;
import java.io.OutputStream;
import org.sasldb4j.store.Entry;

/**
 * sasldblistusers2's output: {@code authid@realm: property}, one line per record, the raw bytes
 * of each component (no decoding, so any byte comes out as stored).
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
            out.write(e.authidBytes());
            out.write('@');
            out.write(e.realmBytes());
            out.write(SEPARATOR);
            out.write(e.propertyBytes());
            out.write('\n');
        } catch (IOException x) {
            throw Listing.unchecked(x);
        } finally {
            e.wipe(); // the text listing never needs the value
        }
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
