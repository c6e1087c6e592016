package org.sasldb4j.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chmod 000} on the store of a running long-lived reader that is not root (root reads
 * anything, so the reader runs as {@code nobody} through {@code setpriv}, which the test needs):
 * reads fail with a StoreException while the file is unreadable, and succeed again once it is
 * readable, without restarting the reader.
 */
class UnreadableStoreIT {
    @TempDir
    Path dir;

    @Test
    void aStoreMadeUnreadableFailsReadsUntilReadableAgain() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path store = dir.resolve("sasldb2");
        try (CredentialStore s = CredentialStore.open(store, StoreOptions.create())) {
            s.update(w -> w.put(UserId.of("alice", "example.org"), "userPassword", "pw".getBytes(StandardCharsets.UTF_8)));
        }
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        for (Path p : List.of(store, Path.of(store + "-lock"))) {
            Files.setOwner(p, users.lookupPrincipalByName("nobody"));
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        }
        Process reader = startAsNobody(copyClassPath(dir.resolve("cp")), store);
        try (BufferedReader answers = new BufferedReader(new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8));
                PrintStream ask = new PrintStream(reader.getOutputStream(), true, StandardCharsets.UTF_8)) {
            assertEquals("open", answers.readLine(), () -> stderr(reader));
            assertEquals("OK pw", until(ask, answers, "OK"));

            Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("---------"));
            String failed = until(ask, answers, "ERR");
            assertTrue(failed.contains("ermission denied"), failed);

            Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rw-------"));
            assertEquals("OK pw", until(ask, answers, "OK"));
        } finally {
            reader.getOutputStream().close();
            if (!reader.waitFor(30, TimeUnit.SECONDS)) {
                reader.destroyForcibly();
            }
        }
        String err = stderr(reader);
        assertTrue(err.contains("cannot be opened") && err.contains("can be opened again"), err);
    }

    /** Asks until the answer starts with {@code prefix} (the reader checks every 50 ms). */
    private static String until(PrintStream ask, BufferedReader answers, String prefix) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            ask.println("get");
            String a = answers.readLine();
            if (a == null || a.startsWith(prefix) || System.nanoTime() > deadline) {
                return a;
            }
        }
    }

    /** The test class path copied where {@code nobody} can read it (~/.m2 is private to root). */
    private static String copyClassPath(Path to) throws IOException {
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path from = Path.of(e);
            if (!Files.exists(from)) {
                continue;
            }
            Path target = to.resolve(n++ + "-" + from.getFileName());
            if (Files.isDirectory(from)) {
                try (Stream<Path> files = Files.walk(from)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Path t = target.resolve(from.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(f, t);
                        }
                    }
                }
            } else {
                Files.createDirectories(to);
                Files.copy(from, target);
            }
            entries.add(target.toString());
        }
        try (Stream<Path> all = Files.walk(to)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        Files.setPosixFilePermissions(to.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static Process startAsNobody(String classPath, Path store) throws IOException {
        List<String> cmd = List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-Djava.io.tmpdir=/tmp", "-cp", classPath, FollowerMain.class.getName(), store.toString());
        return new ProcessBuilder(cmd).directory(new java.io.File("/tmp")).start();
    }

    private static String stderr(Process p) {
        try {
            return new String(p.getErrorStream().readNBytes(20_000), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
