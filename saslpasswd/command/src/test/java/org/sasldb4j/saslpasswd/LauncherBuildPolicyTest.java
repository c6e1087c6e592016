package org.sasldb4j.saslpasswd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkout launcher ({@code bin/lib/launch.bash}) builds a missing or stale jar only for
 * someone who sees it happen: under systemd ({@code $INVOCATION_ID}) or with
 * {@code SASLDB4J_NO_BUILD=1} it prints one line and exits 70, never runs Maven and never starts
 * a stale jar. Runs the real launcher in a scratch copy of the checkout's shape; no Maven is
 * on its PATH, so an attempted build shows as the "Maven (mvn) is not installed" line.
 */
class LauncherBuildPolicyTest {
    @TempDir
    Path root;
    private Path jar;
    private Path source;

    @BeforeEach
    void fakeCheckout() throws IOException {
        Path lib = Path.of(System.getProperty("user.dir")).getParent().getParent().resolve("bin/lib");
        Files.createDirectories(root.resolve("bin/lib"));
        // launch.bash sources the JVM flags shared with the installed launcher.
        for (String file : List.of("launch.bash", "jvm-flags.bash")) {
            Files.copy(lib.resolve(file), root.resolve("bin/lib").resolve(file));
        }
        Files.writeString(root.resolve("bin/tool"), "#!/usr/bin/env bash\n"
                + ". \"${0%/*}/lib/launch.bash\"\nlaunch mod sasldb4j-x org.example.Main \"$@\"\n");
        root.resolve("bin/tool").toFile().setExecutable(true);
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        source = root.resolve("mod/src/main/java/Main.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class Main {}");
        Files.writeString(root.resolve("mod/pom.xml"), "<project/>");
        jar = root.resolve("mod/target/sasldb4j-x-0.1.0-SNAPSHOT-all.jar");
        Files.createDirectories(jar.getParent());
    }

    private record Run(int rc, String err) {}

    private Run run(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", root.resolve("bin/tool").toString(), "-v"));
        pb.environment().clear();
        // A PATH with bash and coreutils but without Maven: an attempted build is visible.
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().put("HOME", root.toString());
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), err);
    }


    @Test
    void missingJarUnderSystemdIsOneLine() throws Exception {
        Run r = run(Map.of("INVOCATION_ID", "0123456789abcdef"));
        assertEquals(70, r.rc());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(jar + " is not built; build it first"), r.err());
    }

    @Test
    void staleJarUnderSystemdIsOneLineAndNeverStarted() throws Exception {
        Files.writeString(jar, "not a jar");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        Run r = run(Map.of("INVOCATION_ID", "0123456789abcdef"));
        assertEquals(70, r.rc());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("is older than its sources"), r.err());
    }

    @Test
    void noBuildSettingActsTheSame() throws Exception {
        Run r = run(Map.of("SASLDB4J_NO_BUILD", "1"));
        assertEquals(70, r.rc());
        assertTrue(r.err().contains("is not built; build it first"), r.err());
    }

    @Test
    void byHandItTriesToBuild() throws Exception {
        Run r = run(Map.of());
        assertEquals(70, r.rc());
        // Maven is the next step; with /usr/bin/mvn present the build itself runs and fails on the
        // fake pom, which also proves the attempt.
        assertTrue(r.err().contains("Maven (mvn) is not installed") || r.err().contains("building mod"), r.err());
    }
}
