package org.sasldb4j.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;



/**
 * Attack replay (docs/security.md): the administrator runs {@code sasldbconvert} on a Berkeley
 * DB sasldb2 someone crafted (a chain that loops, a meta page that lies). The command must end
 * quickly with one line naming the file, exit 1, and leave nothing behind: no target store, no
 * lock file, no temporary file. The store module's {@code HostileBerkeleyDbTest} replays more
 * crafted files against the reader itself.
 */
@Tag("attack")
class HostileSasldb2ConvertTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** small.sasldb2: little-endian hash, 4096-byte pages, buckets 0 and 1 on pages 1 and 2. */
    static Stream<Arguments> craftedFiles() {
        return Stream.of(
                Arguments.of("bucket-self-loop", (Consumer<ByteBuffer>) b -> b.putInt(2 * 4096 + 16, 2)),
                Arguments.of("bucket-joins-another", (Consumer<ByteBuffer>) b -> b.putInt(2 * 4096 + 16, 1)),
                Arguments.of("bucket-on-meta-page", (Consumer<ByteBuffer>) b -> b.putInt(96, 0)),
                Arguments.of("max-bucket-huge", (Consumer<ByteBuffer>) b -> b.putInt(72, -1)),
                Arguments.of("last-page-huge", (Consumer<ByteBuffer>) b -> b.putInt(32, -2)),
                Arguments.of("entries-huge", (Consumer<ByteBuffer>) b -> b.putShort(4096 + 20, (short) -1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("craftedFiles")
    void craftedFileIsRefusedWithOneLineAndNothingWritten(String name, Consumer<ByteBuffer> craft) throws IOException {
        byte[] bytes;
        try (InputStream in = getClass().getResourceAsStream("/corpus/small.sasldb2")) {
            bytes = in.readAllBytes();
        }
        craft.accept(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        Path source = dir.resolve(name + ".sasldb2");
        Files.write(source, bytes);
        Path target = dir.resolve("new");

        // A hang guard, not a measure: the conversion of this small file takes well under a second.
        int rc = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run(source.toString(), target.toString()));

        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, rc, e);
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("sasldbconvert: ") && e.contains(source.toString()), e);
        assertFalse(e.contains("Exception"), e);
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(source), left.toList(), "only the crafted file may remain");
        }
    }

    private int run(String... args) {
        return Harness.convert(out, err, args);
    }
}
