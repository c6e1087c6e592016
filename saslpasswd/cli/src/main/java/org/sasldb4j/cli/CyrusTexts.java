package org.sasldb4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The usage and version texts of the Cyrus tools, byte for byte except for the program name,
 * so that scripts and eyes used to them see the same thing.
 */
public final class CyrusTexts {
    /** The four lines every Cyrus tool prints before its usage or version. */
    public static final String BANNER = "\n"
            + "This product includes software developed by Computing Services\n"
            + "at Carnegie Mellon University (http://www.cmu.edu/computing/).\n"
            + "\n";

    /** The Cyrus SASL release whose behaviour and file layout sasldb4j follows. */
    public static final String SASL_VERSION = "2.1.28";

    /**
     * System property naming the program in messages, for launchers that install the tools
     * under other names (Cyrus prints the basename of {@code argv[0]}). {@code bin/lib/launch.bash}
     * sets it to the basename of the script it was started as; a test keeps the two equal.
     */
    public static final String PROGRAM_NAME_PROPERTY = "sasldb4j.program";

    private CyrusTexts() {}

    /**
     * The version text. The first five lines are Cyrus's; the last names sasldb4j instead of
     * claiming a libsasl that is not there.
     */
    public static String version() {
        return BANNER
                + "Built against SASL API version " + SASL_VERSION + "\n"
                + "sasldb4j version " + sasldb4jVersion() + " (sasldb of \"Cyrus SASL\" " + SASL_VERSION + ")\n";
    }

    /** The program name: the {@value #PROGRAM_NAME_PROPERTY} property, else {@code fallback}. */
    public static String programName(String fallback) {
        String p = System.getProperty(PROGRAM_NAME_PROPERTY);
        if (p == null || p.isBlank()) {
            return fallback;
        }
        int slash = p.lastIndexOf('/');
        return slash >= 0 ? p.substring(slash + 1) : p;
    }

    /**
     * The project version, from {@code version.properties} (filled in by Maven resource
     * filtering, so it is right in the jars and in {@code target/classes}); {@code dev} if missing.
     */
    public static String sasldb4jVersion() {
        try (InputStream in = CyrusTexts.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "dev");
                return v.startsWith("${") ? "dev" : v;
            }
        } catch (IOException e) {
            // fall through
        }
        return "dev";
    }

    /** The first line of {@code --version} of the sasldb4j-only tools: {@code program version}. */
    public static String versionLine(String program) {
        return program + " " + sasldb4jVersion();
    }

    /**
     * Prints {@link #versionLine} on standard output: the answer to {@code --version} of the
     * Cyrus drop-ins (their {@code -v} keeps Cyrus's text, which names libsasl's version first).
     *
     * @throws UncheckedIOException if standard output cannot be written
     */
    public static void printVersionLine(CliEnvironment env, String program) {
        try {
            env.stdout().write((versionLine(program) + "\n").getBytes(StandardCharsets.UTF_8));
            env.stdout().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
