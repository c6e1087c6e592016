package org.sasldb4j.store.secret;

import java.util.Arrays;

/**
 * Overwriting secrets in memory once they are no longer needed, so a heap dump, a core file or
 * swapped-out page holds them for as short a time as the code allows. The one place the project
 * zeroes a password, key or hash.
 *
 * <p><b>Security:</b> the JVM may have copied an array before (a garbage collector moving it), so
 * wiping shortens a secret's life in memory; it does not guarantee that no copy is left.
 */
public final class Wipe {
    private Wipe() {}

    /** Fills each array with zeros; null arrays are skipped, so callers may wipe in {@code finally}. */
    public static void bytes(byte[]... arrays) {
        for (byte[] a : arrays) {
            if (a != null) {
                Arrays.fill(a, (byte) 0);
            }
        }
    }

    /** Fills each array with {@code '\0'}; null arrays are skipped. */
    public static void chars(char[]... arrays) {
        for (char[] a : arrays) {
            if (a != null) {
                Arrays.fill(a, '\0');
            }
        }
    }
}
