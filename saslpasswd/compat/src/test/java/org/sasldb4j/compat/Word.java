package org.sasldb4j.compat;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.Arrays;

/**
 * One word of a case line, as bytes (arguments and expected outputs are bytes, not text), and
 * whether any part of it was quoted (a quoted {@code <} is an argument, a bare one is syntax).
 */
record Word(byte[] bytes, boolean quoted) {

    /** The bytes as one char per byte, so that regular expressions match byte for byte. */
    String text() {
        return new String(bytes, ISO_8859_1);
    }

    boolean is(String bare) {
        return !quoted && text().equals(bare);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Word w && w.quoted == quoted && Arrays.equals(w.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return Bytes.show(bytes);
    }
}
