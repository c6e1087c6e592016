package org.sasldb4j.store.bdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.Backend;
import org.sasldb4j.store.Conversion;
import org.sasldb4j.store.ConversionReport;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.RecordSource;
import org.sasldb4j.store.StoreOptions;

/**
 * The 200,000-user file of the corpus's {@code gen-large.sh} (21 MB, made here with the real
 * {@code db5.3_load}; or the file named by {@code -Dsasldb4j.largeFile}): every record read, and
 * the whole file converted to LMDB. Pass times are printed for the benchmark notes; nothing is
 * asserted about them.
 */
class LargeFileIT {
    @TempDir
    static Path dir;

    static Path file;

    @BeforeAll
    static void makeTheFile() throws IOException, InterruptedException {
        String given = System.getProperty("sasldb4j.largeFile");
        if (given != null && !given.isEmpty()) {
            file = Path.of(given);
            return;
        }
        Path script = Path.of("src/test/resources/corpus/gen-large.sh").toAbsolutePath();
        Process p = new ProcessBuilder("bash", script.toString(), dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "gen-large.sh failed (needs db5.3_load and python3:"
                + " scripts/install-test-deps.sh installs them):\n" + output);
        file = dir.resolve("large.sasldb2");
    }

    @Test
    void readsEveryRecord() {
        for (int run = 1; run <= 3; run++) {
            long start = System.nanoTime();
            long[] count = new long[1];
            try (RecordSource source = ForeignFiles.open(file, false)) {
                source.forEach(e -> count[0]++);
            }
            System.out.println("large file pass " + run + ": " + count[0] + " records in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
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

    @Test
    void convertsToLmdb() {
        Path target = dir.resolve("large.lmdb");
        long start = System.nanoTime();
        ConversionReport r = Conversion.run(file, target,
                new Conversion.Options(false, false, false, Backend.LMDB), Conversion.Progress.NONE);
        System.out.println("large file conversion: " + (System.nanoTime() - start) / 1_000_000 + " ms");
        assertEquals(200_000, r.records());
        assertTrue(r.verified());
        long[] n = {0};
        try (CredentialStore s = CredentialStore.open(target, StoreOptions.readOnly())) {
            s.forEach(e -> n[0]++);
        }
        assertEquals(200_000, n[0]);
    }
}
