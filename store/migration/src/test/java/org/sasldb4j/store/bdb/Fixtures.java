package org.sasldb4j.store.bdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.RecordSource;

/** Test fixtures and the comparison format of the corpus {@code .expected.txt} files. */
final class Fixtures {
    private Fixtures() {}

    /** A test resource, e.g. {@code resource("corpus", "small.sasldb2")}. */
    static Path resource(String dir, String name) {
        try {
            var url = Fixtures.class.getResource("/" + dir + "/" + name);
            if (url == null) {
                throw new IllegalStateException("missing test resource " + dir + "/" + name);
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The record lines of an expected file, sorted (raw bytes kept as ISO-8859-1 chars). */
    static List<String> expected(Path file) {
        List<String> lines = new ArrayList<>();
        for (String line : bytesAsText(file).split("\n", -1)) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                lines.add(line);
            }
        }
        lines.sort(null);
        return lines;
    }

    /** The expected file beside {@code data}: {@code NAME.expected.txt} for {@code NAME.ext}. */
    static Path expectedFor(Path data) {
        String name = data.getFileName().toString();
        return data.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".expected.txt");
    }

    /** One record in the expected-file format. */
    static String line(Entry e) {
        return iso(e.authidBytes()) + "\t" + iso(e.realmBytes()) + "\t" + iso(e.propertyBytes()) + "\t"
                + HexFormat.of().formatHex(e.value());
    }

    /** Every record of the source, in the expected-file format, sorted; damage is thrown. */
    static List<String> records(RecordSource source) {
        List<String> lines = new ArrayList<>();
        source.forEach(e -> lines.add(line(e)));
        lines.sort(null);
        return lines;
    }

    /** The keys (hex) in the order the source delivers them. */
    static List<String> keyOrder(RecordSource source) {
        List<String> keys = new ArrayList<>();
        source.forEach(e -> keys.add(HexFormat.of().formatHex(e.key())));
        return keys;
    }

    /**
     * Fails unless both sorted lists are equal, naming only the keys that differ: values are
     * random bytes (or secrets) and would drown the report.
     */
    static void assertSameRecords(List<String> expected, List<String> actual) {
        if (expected.equals(actual)) {
            return;
        }
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(actual);
        List<String> extra = new ArrayList<>(actual);
        extra.removeAll(expected);
        org.junit.jupiter.api.Assertions.fail("expected " + expected.size() + " records, got " + actual.size()
                + "; missing keys " + keys(missing) + "; unexpected keys " + keys(extra));
    }

    private static List<String> keys(List<String> lines) {
        return lines.stream().map(l -> HexFormat.of().formatHex(
                l.substring(0, l.lastIndexOf('\t')).getBytes(StandardCharsets.ISO_8859_1))).toList();
    }

    static String bytesAsText(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String iso(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
