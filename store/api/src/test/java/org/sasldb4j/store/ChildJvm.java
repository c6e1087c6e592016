package org.sasldb4j.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The start of a command line for a second JVM that opens stores: this JVM's java with the
 * {@code --add-opens} options lmdbjava needs. Shared by the store's and the tools' multi-process
 * tests through this module's test-jar.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** A new, mutable list: java and the options every child JVM needs; the caller adds the rest. */
    public static List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-opens");
        cmd.add("java.base/java.nio=ALL-UNNAMED");
        cmd.add("--add-opens");
        cmd.add("java.base/sun.nio.ch=ALL-UNNAMED");
        return cmd;
    }
}
