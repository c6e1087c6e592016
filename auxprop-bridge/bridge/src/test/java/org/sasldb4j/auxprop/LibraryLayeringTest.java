package org.sasldb4j.auxprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The bridge and the SASL provider are a library: their sources name neither the daemon, the
 * command-line plumbing, picocli, nor a store backend (an embedder picks one). The Maven enforcer
 * rule bans the dependencies; this test bans the references, and checks the class path too.
 */
class LibraryLayeringTest {
    private static final Pattern FORBIDDEN = Pattern.compile(
            "\\b(org\\.sasldb4j\\.(auxprop\\.daemon|cli|saslpasswd|sasldblistusers|migration|store\\.(lmdb|sqlite|bdb))"
                    + "|picocli)\\b");

    @Test
    void theLibrarySourcesReferenceNoDaemonNoCommandLineAndNoBackend() throws IOException {
        Path sources = Path.of("src/main/java");
        assertTrue(Files.isDirectory(sources), sources.toAbsolutePath() + " is missing");
        try (Stream<Path> files = Files.walk(sources)) {
            List<String> offences = files.filter(f -> f.toString().endsWith(".java")).flatMap(f -> {
                try {
                    List<String> lines = Files.readAllLines(f);
                    return IntStream.range(0, lines.size())
                            .filter(i -> FORBIDDEN.matcher(lines.get(i)).find())
                            .mapToObj(i -> sources.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).trim());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
            assertEquals(List.of(), offences);
        }
    }

    @Test
    void picocliIsNotOnTheLibrarysClassPath() {
        // The test class path holds the library's compile, runtime and test dependencies.
        assertEquals(List.of(), Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> e.contains("picocli") || e.contains("sasldb4j-cli") || e.contains("sasldb4j-authd")
                        || e.contains("/saslpasswd/cli/") || e.contains("/auxprop-bridge/daemon/"))
                .toList());
    }
}
