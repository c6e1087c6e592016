package org.sasldb4j.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The store API names none of its implementations and no command-line code: backends are found
 * through {@link StoreBackends} (ServiceLoader), so the API has no package cycle with them and an
 * embedder gets no picocli. The Maven enforcer rule bans the dependencies; this test bans the
 * references (an import, or a fully qualified name in code or javadoc) in the API's own sources.
 */
class ApiLayeringTest {
    private static final Pattern FORBIDDEN = Pattern.compile(
            "\\b(org\\.sasldb4j\\.(store\\.(lmdb|sqlite|bdb)|cli|auxprop|saslpasswd|sasldblistusers|migration)"
                    + "|picocli|org\\.lmdbjava|org\\.sqlite)\\b");

    @Test
    void theApiSourcesReferenceNoBackendAndNoCommandLineCode() throws IOException {
        List<String> offences = offences(Path.of("src/main/java"));
        assertEquals(List.of(), offences);
    }

    @Test
    void theCheckSeesAnOffence() {
        assertTrue(FORBIDDEN.matcher("import org.sasldb4j.store.lmdb.LmdbBackend;").find());
        assertTrue(FORBIDDEN.matcher("new Thread(org.sasldb4j.store.bdb.ForeignFiles::open)").find());
        assertTrue(FORBIDDEN.matcher("import picocli.CommandLine;").find());
    }

    static List<String> offences(Path sources) throws IOException {
        assertTrue(Files.isDirectory(sources), sources.toAbsolutePath() + " is missing");
        try (Stream<Path> files = Files.walk(sources)) {
            return files.filter(f -> f.toString().endsWith(".java")).flatMap(f -> {
                try {
                    List<String> lines = Files.readAllLines(f);
                    return java.util.stream.IntStream.range(0, lines.size())
                            .filter(i -> FORBIDDEN.matcher(lines.get(i)).find())
                            .mapToObj(i -> sources.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).trim());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }
}
