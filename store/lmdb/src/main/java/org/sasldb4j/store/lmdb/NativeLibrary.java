package org.sasldb4j.store.lmdb;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Points lmdbjava at the system's {@code liblmdb.so.0} when there is one, so a start does not
 * extract the bundled library into the temp directory (slow, and impossible where /tmp is
 * {@code noexec}). {@code -Dlmdbjava.native.lib=PATH} or {@code SASLDB4J_LMDB_LIB=PATH} choose a
 * library explicitly; {@code SASLDB4J_LMDB_LIB=bundled} forces the bundled one.
 */
final class NativeLibrary {
    static final String PROPERTY = "lmdbjava.native.lib";
    private static final String[] CANDIDATES = {
        "/usr/lib/x86_64-linux-gnu/liblmdb.so.0",
        "/usr/lib/aarch64-linux-gnu/liblmdb.so.0",
        "/usr/lib64/liblmdb.so.0",
        "/usr/lib/liblmdb.so.0",
    };

    private NativeLibrary() {}

    static synchronized void preferSystem() {
        if (System.getProperty(PROPERTY) != null) {
            return;
        }
        String env = System.getenv("SASLDB4J_LMDB_LIB");
        if (env != null && !env.isEmpty()) {
            if (!env.equals("bundled")) {
                System.setProperty(PROPERTY, env);
            }
            return;
        }
        for (String c : CANDIDATES) {
            if (Files.isReadable(Path.of(c))) {
                System.setProperty(PROPERTY, c);
                return;
            }
        }
    }
}
