package org.sasldb4j.store.bdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.ForeignFormatException;
import org.sasldb4j.store.RecordSource;
import org.sasldb4j.store.StoreFormat;
import org.sasldb4j.store.StoreNotFoundException;

/** Every file of the shared corpus gives exactly its expected records, or the documented error. */
class BdbCorpusTest {

    private static Path corpus(String name) {
        return Fixtures.resource("corpus", name + ".sasldb2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "small-be", "small-p512", "small-btree", "medium", "debian-empty"})
    void readsExactlyTheExpectedRecords(String name) {
        Path file = corpus(name);
        try (RecordSource source = ForeignFiles.open(file, false)) {
            Fixtures.assertSameRecords(Fixtures.expected(Fixtures.expectedFor(file)), Fixtures.records(source));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "small-be", "small-p512", "small-btree", "medium", "debian-empty"})
    void salvageOfASoundFileReportsNothing(String name) {
        Path file = corpus(name);
        List<DamagedStoreException> damage = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        try (RecordSource source = ForeignFiles.open(file, true)) {
            source.forEach(e -> lines.add(Fixtures.line(e)), damage::add);
        }
        lines.sort(null);
        assertEquals(List.of(), damage);
        Fixtures.assertSameRecords(Fixtures.expected(Fixtures.expectedFor(file)), lines);
    }

    @Test
    void recognisesHashAndBtree() {
        try (RecordSource hash = ForeignFiles.open(corpus("small-be"), false);
                RecordSource btree = ForeignFiles.open(corpus("small-btree"), false)) {
            assertEquals(StoreFormat.BDB_HASH, hash.format());
            assertEquals(StoreFormat.BDB_BTREE, btree.format());
        }
    }

    @Test
    void hashRecordsComeInBucketOrderLikeDbDump() {
        // db5.3_dump small.sasldb2 lists the users in this order (bobs and carol's long values
        // live in other buckets).
        List<String> users = new ArrayList<>();
        try (RecordSource source = ForeignFiles.open(corpus("small"), false)) {
            source.forEach(e -> users.add(e.authid()));
        }
        assertEquals(List.of("alice", "dave", "erin", "frank", "hostuser", "ivan", "jürgen.müller"),
                users.subList(0, 7));
        assertEquals(9, users.size());
    }

    @Test
    void truncatedFileFailsNamingTheMissingPage() {
        Path file = corpus("small-truncated");
        DamagedStoreException e = assertThrows(DamagedStoreException.class, () -> ForeignFiles.open(file, false));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("page 2 missing"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void salvageOfTruncatedFileGivesTheSevenReadableRecords() {
        Path file = corpus("small-truncated");
        List<DamagedStoreException> damage = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        try (RecordSource source = ForeignFiles.open(file, true)) {
            source.forEach(e -> lines.add(Fixtures.line(e)), damage::add);
        }
        lines.sort(null);
        Fixtures.assertSameRecords(Fixtures.expected(Fixtures.expectedFor(file)), lines);
        assertEquals(7, lines.size());
        assertTrue(damage.stream().anyMatch(d -> d.getMessage().contains("page 2")), damage.toString());
    }

    @Test
    void badMagicIsDamage() {
        Path file = corpus("small-badmagic");
        DamagedStoreException e = assertThrows(DamagedStoreException.class, () -> ForeignFiles.open(file, true));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        assertTrue(e.getMessage().contains("page 0"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"zero", "text-not-db"})
    void nonDatabasesAreForeign(String name) {
        ForeignFormatException e = assertThrows(ForeignFormatException.class,
                () -> ForeignFiles.open(corpus(name), false));
        assertEquals(name.equals("zero") ? StoreFormat.EMPTY : StoreFormat.UNKNOWN, e.format());
    }

    @Test
    void missingFileIsNotFound() {
        assertThrows(StoreNotFoundException.class,
                () -> ForeignFiles.open(corpus("small").resolveSibling("no-such-file"), false));
    }
}
