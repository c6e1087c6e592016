package org.sasldb4j.store.bdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.MalformedKeyException;
import org.sasldb4j.store.RecordSource;
import org.sasldb4j.store.StoreFormat;

/**
 * The databases and dumps written by the real tools in {@code scripts/gen-bdb-fixtures.sh}:
 * every record comes back byte for byte, Berkeley DB files in {@code db5.3_dump}'s order.
 */
class GeneratedFixturesTest {

    static Stream<String> databases() throws IOException {
        Path dir = Fixtures.resource("generated", "hash-le-512.sasldb2").getParent();
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".sasldb2") && !n.startsWith("bad-")).sorted().toList();
            assertTrue(names.size() >= 12, names.toString());
            return names.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void readsExactlyTheLoadedRecords(String name) {
        Path file = Fixtures.resource("generated", name);
        List<DamagedStoreException> damage = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        try (RecordSource source = ForeignFiles.open(file, false)) {
            assertEquals(name.startsWith("hash") ? StoreFormat.BDB_HASH : StoreFormat.BDB_BTREE, source.format());
            source.forEach(e -> lines.add(Fixtures.line(e)), damage::add);
        }
        lines.sort(null);
        assertEquals(List.of(), damage);
        Fixtures.assertSameRecords(Fixtures.expected(Fixtures.expectedFor(file)), lines);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void deliversRecordsInDbDumpOrder(String name) {
        Path file = Fixtures.resource("generated", name);
        Path order = file.resolveSibling(name.replace(".sasldb2", ".order.txt"));
        List<String> expected = List.of(Fixtures.bytesAsText(order).split("\n"));
        try (RecordSource source = ForeignFiles.open(file, false)) {
            assertEquals(expected, Fixtures.keyOrder(source));
        }
    }

    @Test
    void badKeysAreReportedWithTheirPageAndSkipped() {
        Path file = Fixtures.resource("generated", "bad-keys.sasldb2");
        List<DamagedStoreException> damage = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        try (RecordSource source = ForeignFiles.open(file, false)) {
            source.forEach(e -> lines.add(Fixtures.line(e)), damage::add);
        }
        lines.sort(null);
        Fixtures.assertSameRecords(Fixtures.expected(Fixtures.expectedFor(file)), lines);
        assertEquals(3, damage.size(), damage.toString());
        for (DamagedStoreException d : damage) {
            assertTrue(d instanceof MalformedKeyException, d.toString());
            assertTrue(d.getMessage().matches(".*bad-keys.sasldb2: page [12] item \\d+: .*"), d.getMessage());
        }
        // Without an onDamage consumer the first bad key ends the pass.
        try (RecordSource source = ForeignFiles.open(file, false)) {
            assertThrows(MalformedKeyException.class, () -> source.forEach(e -> { }));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dump-bytevalue.txt", "dump-print.txt", "gdbm-ascii.txt"})
    void readsDumpsOfTheRealTools(String name) {
        Path file = Fixtures.resource("generated", name);
        try (RecordSource source = ForeignFiles.open(file, false)) {
            assertEquals(name.startsWith("gdbm") ? StoreFormat.GDBM_DUMP : StoreFormat.DB_DUMP, source.format());
            Fixtures.assertSameRecords(Fixtures.expected(Fixtures.expectedFor(file)), Fixtures.records(source));
        }
    }
}
