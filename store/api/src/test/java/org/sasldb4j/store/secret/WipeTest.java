package org.sasldb4j.store.secret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class WipeTest {
    @Test
    void zeroesEveryArrayAndSkipsNulls() {
        byte[] a = {1, 2, 3};
        byte[] b = {(byte) 0xff};
        Wipe.bytes(a, null, b);
        assertArrayEquals(new byte[3], a);
        assertArrayEquals(new byte[1], b);
        Wipe.bytes((byte[]) null);
        char[] c = {'p', 'w'};
        Wipe.chars(c, null);
        assertArrayEquals(new char[2], c);
        Wipe.chars((char[]) null);
    }
}
