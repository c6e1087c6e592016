package org.sasldb4j.store.postgresql;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sasldb4j.store.StoreException;

/**
 * libpq's connection service file, {@code pg_service.conf}: INI sections {@code [name]} of
 * {@code keyword=value} lines, {@code #} comments. The user's file ({@code PGSERVICEFILE}, else
 * {@code ~/.pg_service.conf}) is searched first, then the system's ({@code PGSYSCONFDIR/pg_service.conf},
 * else Debian's {@code /etc/postgresql-common/pg_service.conf}); the first file that defines the
 * service gives all of its settings (docs/reference/libpq.md §4).
 */
final class PgServiceFile {
    /** Debian's libpq is built with this sysconfdir. */
    static final Path DEBIAN_SYSCONFDIR = Path.of("/etc/postgresql-common");

    private PgServiceFile() {}

    /** The files searched, in order. */
    static List<Path> candidates(java.util.function.Function<String, String> getenv, Path home) {
        String user = getenv.apply("PGSERVICEFILE");
        Path userFile = user != null && !user.isEmpty() ? Path.of(user) : home.resolve(".pg_service.conf");
        String sys = getenv.apply("PGSYSCONFDIR");
        Path sysDir = sys != null && !sys.isEmpty() ? Path.of(sys) : DEBIAN_SYSCONFDIR;
        return List.of(userFile, sysDir.resolve("pg_service.conf"));
    }

    /**
     * The settings of service {@code name}.
     *
     * @throws StoreException if no file defines it, or a defining file has a syntax error
     */
    static Map<String, String> lookup(String name, String address, java.util.function.Function<String, String> getenv,
            Path home) {
        List<Path> files = candidates(getenv, home);
        for (Path f : files) {
            Map<String, String> found = read(f, name, address);
            if (found != null) {
                return found;
            }
        }
        throw ConnInfo.bad(address, "definition of service \"" + name + "\" not found (looked in " + files.get(0)
                + " and " + files.get(1) + "; see docs/postgresql.md)");
    }

    /** The section {@code name} of {@code file}, or null when the file or the section is absent. */
    static Map<String, String> read(Path file, String name, String address) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw ConnInfo.bad(address, "cannot read service file " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        Map<String, String> out = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (out != null) {
                    return out; // the next section starts: ours is complete
                }
                if (line.equals("[" + name + "]")) {
                    out = new LinkedHashMap<>();
                }
                continue;
            }
            if (out == null) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw ConnInfo.bad(address, "syntax error in service file " + file + ", line " + (i + 1));
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            if (key.equals("service")) {
                throw ConnInfo.bad(address, "nested service specifications not supported in service file " + file
                        + ", line " + (i + 1));
            }
            if (!ConnInfo.KEYWORDS.contains(key)) {
                throw ConnInfo.bad(address, "unknown connection parameter '" + key + "' in service file " + file
                        + ", line " + (i + 1));
            }
            out.putIfAbsent(key, value);
        }
        return out;
    }
}
