package org.sasldb4j.saslpasswd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.sasldb4j.store.ChildJvm;

/** Starts a test helper main class in a separate JVM with the test classpath (for the *IT tests). */
final class TestJvm {
    private TestJvm() {}

    /**
     * Starts {@code main} with {@code args}; stdin and stdout are pipes, stderr goes to {@code log}.
     */
    static Process start(Path log, Class<?> main, String... args) throws IOException {
        return builder(main, args).redirectError(log.toFile()).start();
    }

    /** A short-lived helper: C1 only, as the launcher starts short runs. */
    static ProcessBuilder builder(Class<?> main, String... args) {
        return builder(true, main, args);
    }

    /** @param quick C1 only (short runs); false keeps the full JIT, as the launcher does for --batch */
    static ProcessBuilder builder(boolean quick, Class<?> main, String... args) {
        return builder(quick, List.of(), main, args);
    }

    /** @param jvmOptions extra JVM options, e.g. {@code -Dname=value} */
    static ProcessBuilder builder(boolean quick, List<String> jvmOptions, Class<?> main, String... args) {
        List<String> cmd = ChildJvm.command();
        cmd.add("-XX:+UseSerialGC");
        if (quick) {
            cmd.add("-XX:TieredStopAtLevel=1");
        }
        cmd.add("-Xshare:auto");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /** The last lines of the given log files, for failure messages. */
    static String tail(List<Path> logs) {
        StringBuilder sb = new StringBuilder();
        for (Path log : logs) {
            sb.append("--- ").append(log.getFileName()).append('\n');
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> sb.append(l).append('\n'));
            } catch (IOException e) {
                sb.append("(unreadable: ").append(e.getMessage()).append(")\n");
            }
        }
        return sb.toString();
    }
}
