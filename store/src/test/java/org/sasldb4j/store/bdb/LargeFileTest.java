package org.sasldb4j.store.bdb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.sasldb4j.store.RecordSource;

/**
 * The 200,000-user file of {@code gen-large.sh} (21 MB, not committed): every record, and the
 * time one pass takes, printed for the benchmark notes. Run with
 * {@code -Dsasldb4j.largeFile=/path/large.sasldb2} (its {@code large.expected.txt} beside it).
 */
@EnabledIfSystemProperty(named = "sasldb4j.largeFile", matches = ".+")
class LargeFileTest {

    @Test
    void readsTheLargeFile() {
        Path file = Path.of(System.getProperty("sasldb4j.largeFile"));
        for (int run = 1; run <= 3; run++) {
            long start = System.nanoTime();
            long[] count = new long[1];
            try (RecordSource source = ForeignFiles.open(file, false)) {
                source.forEach(e -> count[0]++);
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("large file pass " + run + ": " + count[0] + " records in " + ms + " ms");
        }
        List<String> lines = new ArrayList<>();
        try (RecordSource source = ForeignFiles.open(file, false)) {
            source.forEach(e -> lines.add(Fixtures.line(e)));
        }
        lines.sort(null);
        List<String> expected = Fixtures.expected(Fixtures.expectedFor(file));
        assertEquals(expected.size(), lines.size());
        Fixtures.assertSameRecords(expected, lines);
    }
}
