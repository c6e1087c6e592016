package org.sasldb4j.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every record a conversion reads (from the source, on every pass, and from the target when it
 * is read back) holds only zeros once the conversion returns or fails: the copies of secrets it
 * made do not outlive it. The records are watched through {@link Conversion.Sources}, which hands
 * out the real files' records and keeps a reference to each.
 */
class ConversionWipesTest {
    @TempDir
    Path dir;

    private static final Conversion.Options NEW = new Conversion.Options(false, false, false, Backend.LMDB);
    private static final Conversion.Options DRY_RUN = new Conversion.Options(false, true, false, Backend.LMDB);

    /** The real sources, keeping every record they hand out. */
    private static final class Watching implements Conversion.Sources {
        final List<Entry> seen = new ArrayList<>();
        int passes;

        @Override
        public RecordSource source(String source, boolean salvage) {
            passes++;
            return watch(Conversion.Sources.FILES.source(source, salvage));
        }

        @Override
        public RecordSource readBack(String target) {
            passes++;
            return watch(Conversion.Sources.FILES.readBack(target));
        }

        private RecordSource watch(RecordSource real) {
            return new RecordSource() {
                @Override
                public Path path() {
                    return real.path();
                }

                @Override
                public StoreFormat format() {
                    return real.format();
                }

                @Override
                public void forEach(Consumer<? super Entry> action, Consumer<? super DamagedStoreException> onDamage) {
                    real.forEach(e -> {
                        seen.add(e);
                        action.accept(e);
                    }, onDamage);
                }

                @Override
                public void close() {
                    real.close();
                }
            };
        }

        /** The records still holding a non-zero byte in their value, by name (never the value). */
        List<String> unwiped() {
            List<String> out = new ArrayList<>();
            for (Entry e : seen) {
                byte[] v = e.value();
                for (byte b : v) {
                    if (b != 0) {
                        out.add(e.toString());
                        break;
                    }
                }
            }
            return out;
        }
    }

    @Test
    void aNewStoreWipesTheSourcesAndTheReadBacksRecords() throws IOException {
        Watching w = new Watching();
        Conversion.run(corpus("small.sasldb2"), dir.resolve("new"), NEW, Conversion.Progress.NONE, w);
        assertEquals(2, w.passes, "one pass over the source and one read-back");
        assertSawSecretsAndWipedThem(w);
    }

    @Test
    void aDryRunWipesWhatItCounted() throws IOException {
        Watching w = new Watching();
        Conversion.run(corpus("small.sasldb2"), dir.resolve("new"), DRY_RUN, Conversion.Progress.NONE, w);
        assertSawSecretsAndWipedThem(w);
    }

    @Test
    void aMergeAndItsDryRunWipeBothSides() throws IOException {
        Path target = dir.resolve("new");
        Conversion.run(dump("first.dump", "alice\0example.org\0userPassword", "first-alice"), target, NEW,
                Conversion.Progress.NONE);
        Path source = dump("second.dump", "alice\0example.org\0userPassword", "second-alice",
                "bob\0example.org\0userPassword", "bob-pw");
        for (boolean dryRun : new boolean[] {true, false}) {
            Watching w = new Watching();
            Conversion.run(source, target, new Conversion.Options(true, dryRun, false, Backend.LMDB,
                    Conversion.Prefer.SOURCE, false), Conversion.Progress.NONE, w);
            assertSawSecretsAndWipedThem(w);
        }
    }

    @Test
    void theRecordByRecordRereadWipesItsSecondPass() throws IOException {
        // A key twice in the source makes the fast read-back differ: the source is read again.
        Path source = dump("dup.dump", "alice\0example.org\0userPassword", "first",
                "bob\0example.org\0userPassword", "bob-pw", "alice\0example.org\0userPassword", "second");
        Watching w = new Watching();
        ConversionReport r = Conversion.run(source, dir.resolve("new"), NEW, Conversion.Progress.NONE, w);
        assertTrue(r.verified());
        assertEquals(4, w.passes, "the source, the read-back, the source again, the record-by-record read-back");
        assertSawSecretsAndWipedThem(w);
    }

    @Test
    void droppedIdsAreWipedToo() throws IOException {
        Path source = dump("odd.dump", "\0example.org\0userPassword", "empty-name",
                "alice\0example.org\0userPassword", "alice-pw");
        Watching w = new Watching();
        Conversion.run(source, dir.resolve("new"), new Conversion.Options(false, false, false, Backend.LMDB, null,
                true), Conversion.Progress.NONE, w);
        assertSawSecretsAndWipedThem(w);
    }

    @Test
    void aConversionStoppedByDamageWipesWhatItHadRead() throws IOException {
        Path damaged = corpus("small-truncated.sasldb2");
        Watching w = new Watching();
        assertThrows(DamagedStoreException.class, () -> Conversion.run(damaged, dir.resolve("new"), NEW,
                Conversion.Progress.NONE, w));
        assertTrue(w.unwiped().isEmpty(), w.unwiped().toString());
        Watching dry = new Watching();
        assertThrows(DamagedStoreException.class, () -> Conversion.run(damaged, dir.resolve("new"), DRY_RUN,
                Conversion.Progress.NONE, dry));
        assertTrue(dry.unwiped().isEmpty(), dry.unwiped().toString());
    }

    /** Records with secrets were handed out (so the check can fail), and none holds one now. */
    private static void assertSawSecretsAndWipedThem(Watching w) {
        assertTrue(w.seen.stream().anyMatch(e -> e.valueLength() > 0), "no record with a value was read");
        assertEquals(List.of(), w.unwiped());
    }

    private Path corpus(String name) throws IOException {
        Path p = dir.resolve("src-" + name);
        try (InputStream in = getClass().getResourceAsStream("/corpus/" + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    private Path dump(String name, String... keysAndValues) throws IOException {
        return DbDumpText.write(dir.resolve(name), keysAndValues);
    }
}
