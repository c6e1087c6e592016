package org.sasldb4j.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads options from a Cyrus SASL application config file, {@code <confdir>/<appname>.conf}, the
 * way {@code lib/config.c} does: {@code key: value} lines, keys case-insensitive, leading and
 * trailing blanks dropped, {@code #} comments, the first occurrence of a key wins.
 */
public final class SaslConfig {
    /** Environment variable with a colon-separated list of config directories. */
    public static final String CONF_PATH_ENV = "SASL_CONF_PATH";

    /** The built-in search path (Debian's; Fedora's is a subset). */
    public static final List<String> DEFAULT_SEARCH_PATH = List.of(
            "/etc/sasl2", "/etc/sasl", "/usr/lib/" + multiarch() + "/sasl2", "/usr/lib64/sasl2", "/usr/lib/sasl2");

    private SaslConfig() {}

    /** The config directories to search, in order. */
    public static List<Path> searchPath(CliEnvironment env) {
        String fromEnv = env.getenv(CONF_PATH_ENV);
        List<Path> dirs = new ArrayList<>();
        if (fromEnv != null && !fromEnv.isEmpty()) {
            for (String d : fromEnv.split(":")) {
                if (!d.isEmpty()) {
                    dirs.add(Path.of(d));
                }
            }
        } else {
            DEFAULT_SEARCH_PATH.forEach(d -> dirs.add(Path.of(d)));
        }
        return dirs;
    }

    /** The first {@code <dir>/<appname>.conf} that exists, if any. */
    public static Optional<Path> find(CliEnvironment env, String appname) {
        for (Path dir : searchPath(env)) {
            Path f = dir.resolve(appname + ".conf");
            if (Files.isRegularFile(f)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * The value of {@code key} in {@code file}; empty if absent or empty (Cyrus treats an empty
     * value as unset) or if the file cannot be read.
     */
    public static Optional<String> lookup(Path file, String key) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String want = key.toLowerCase(Locale.ROOT);
            for (String line; (line = r.readLine()) != null; ) {
                String s = line.strip();
                if (s.isEmpty() || s.charAt(0) == '#') {
                    continue;
                }
                int colon = s.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                if (s.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(want)) {
                    String v = s.substring(colon + 1).strip();
                    return v.isEmpty() ? Optional.empty() : Optional.of(v);
                }
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            // libsasl fails on an unreadable config; a tool here falls back to the next source.
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static String multiarch() {
        String arch = System.getProperty("os.arch", "");
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64", "arm64" -> "aarch64-linux-gnu";
            case "ppc64le" -> "powerpc64le-linux-gnu";
            case "s390x" -> "s390x-linux-gnu";
            default -> arch + "-linux-gnu";
        };
    }
}
