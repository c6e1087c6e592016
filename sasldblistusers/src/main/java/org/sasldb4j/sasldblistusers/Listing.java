package org.sasldb4j.sasldblistusers;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.sasldb4j.store.Entry;

/** Where listed records go: text lines or JSON. */
interface Listing extends AutoCloseable {

    /**
     * One record, in key order. Its value is never printed; the listing wipes it once done (JSON
     * reads the mechanism name at the start of an {@code authPassword} to name the scheme).
     */
    void add(Entry e);

    /** Ends the output and flushes it. */
    @Override
    void close();

    /** Rethrows an output error unchecked, to leave the store's record loop. */
    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e);
    }
}
