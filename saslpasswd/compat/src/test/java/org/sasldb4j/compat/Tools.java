package org.sasldb4j.compat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the programs the cases run are found: the only class that knows the repository layout
 * (launchers, shaded jars, docs) and which Debian package brings each real tool. When modules
 * move, this is the one place to change.
 */
final class Tools {

    /** Our tools: the launcher in {@code bin/} and the module (directory, artifact) whose shaded jar it starts. */
    private static final Map<String, String[]> OURS_MODULE = Map.of(
            "saslpasswd", new String[] {"saslpasswd/command", "sasldb4j-saslpasswd"},
            "sasldbconvert", new String[] {"store/migration", "sasldb4j-migration"},
            "sasldblistusers", new String[] {"sasldblistusers", "sasldb4j-sasldblistusers"});

    /** Cyrus's counterparts of our tools (sasldbconvert has none). */
    private static final Map<String, String> CYRUS_NAME = Map.of(
            "saslpasswd", "saslpasswd2",
            "sasldblistusers", "sasldblistusers2");

    /** The Debian package of each system command a case may run (scripts/install-test-deps.sh). */
    private static final Map<String, String> PACKAGE = Map.ofEntries(
            Map.entry("saslpasswd2", "sasl2-bin"),
            Map.entry("sasldblistusers2", "sasl2-bin"),
            Map.entry("db5.3_dump", "db5.3-util"),
            Map.entry("db5.3_load", "db5.3-util"),
            Map.entry("mdb_dump", "lmdb-utils"),
            Map.entry("mdb_load", "lmdb-utils"),
            Map.entry("python3", "python3"),
            Map.entry("setpriv", "util-linux"),
            Map.entry("bash", "bash"),
            Map.entry("env", "coreutils"));

    private static final Tools INSTANCE = new Tools();

    private final Path root;

    private Tools() {
        String given = System.getProperty("compat.root", "");
        Path start = given.isEmpty() ? Path.of(System.getProperty("user.dir")) : Path.of(given);
        Path dir = start.toAbsolutePath().normalize();
        while (dir != null && !Files.isRegularFile(dir.resolve("bin/lib/launch.bash"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no sasldb4j checkout (bin/lib/launch.bash) above " + start
                    + "; run from the repository or set -Dcompat.root=DIR");
        }
        this.root = dir;
    }

    static Tools get() {
        return INSTANCE;
    }

    Path root() {
        return root;
    }

    /** The table of deliberate differences that {@code differs} cases point into. */
    Path compatibilityDoc() {
        return root.resolve("docs/compatibility.md");
    }

    /** True for the names of our tools (as a case writes them). */
    static boolean isOurTool(String name) {
        return OURS_MODULE.containsKey(name);
    }

    /**
     * The command for one side: our tools by their launcher (checking that the reactor built the
     * jar, so the launcher never starts a build inside a test), Cyrus's by their Debian name,
     * anything else as a system command. Fails naming the Debian package when a tool is missing.
     */
    String resolve(Side side, String name) {
        if (isOurTool(name)) {
            if (side == Side.OURS) {
                return ourLauncher(name).toString();
            }
            String cyrus = CYRUS_NAME.get(name);
            if (cyrus == null) {
                throw new AssertionError(name + " has no Cyrus counterpart; give the case 'run ours ...'");
            }
            // by its bare name, as an administrator types it: glibc's getopt messages start with argv[0]
            system(cyrus);
            return cyrus;
        }
        return system(name);
    }

    private Path ourLauncher(String tool) {
        String[] module = OURS_MODULE.get(tool);
        String version = System.getProperty("sasldb4j.version", "0.1.0-SNAPSHOT");
        Path jar = root.resolve(module[0]).resolve("target").resolve(module[1] + "-" + version + "-all.jar");
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(jar + " is not built: run the cases through the reactor "
                    + "(mvn verify -pl saslpasswd/compat -am), which shades the tools first");
        }
        return root.resolve("bin").resolve(tool);
    }

    /** A system command by absolute path (PATH, then /usr/sbin and /sbin where the Cyrus tools live). */
    String system(String name) {
        if (name.contains("/")) {
            return name;
        }
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")));
        dirs.add("/usr/sbin");
        dirs.add("/sbin");
        for (String d : dirs) {
            if (!d.isEmpty()) {
                Path p = Path.of(d, name);
                if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                    return p.toString();
                }
            }
        }
        String pkg = PACKAGE.get(name);
        throw new AssertionError(name + " is not installed: install the Debian package "
                + (pkg == null ? "that provides it" : pkg) + " (scripts/install-test-deps.sh does)");
    }

    /** The environment every tool runs in: English messages, UTF-8, no store chosen by the caller's shell. */
    static void baseEnvironment(Map<String, String> env) {
        env.put("LC_ALL", "C.UTF-8");
        env.remove("SASL_DBNAME");
        env.remove("SASL_CONF_PATH");
        env.remove("SASLDB4J_DEFAULT_REALM");
        env.remove("SASLDB4J_DEBUG");
        env.put("PATH", env.getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin");
    }
}
