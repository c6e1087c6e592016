package org.sasldb4j.store.bdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.MalformedKeyException;
import org.sasldb4j.store.RecordSource;
import org.sasldb4j.store.StoreFormat;

/** The text dump formats: db_dump (bytevalue and -p) and gdbm_dump ASCII, sound and damaged. */
class DumpFormatTest {
    private static final String DB_HEADER = "VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize=4096\nHEADER=END\n";
    private static final String PRINT_HEADER = "VERSION=3\nformat=print\ntype=btree\ndb_pagesize=4096\nHEADER=END\n";
    private static final String GDBM_HEADER = "# GDBM dump file created by GDBM version 1.23. 04/02/2022 on today\n"
            + "#:version=1.1\n#:file=/etc/sasl2/sasldb2\n#:uid=0,user=root,gid=0,group=root,mode=600\n"
            + "#:format=standard\n# End of header\n";
    /** alice\0example.org\0userPassword -> secret. */
    private static final String ALICE_HEX = " 616c696365006578616d706c652e6f7267007573657250617373776f7264\n 736563726574\n";
    private static final String ALICE = "alice\texample.org\tuserPassword\t736563726574";

    @TempDir
    Path tmp;

    private Path write(String name, String text) throws IOException {
        Path file = tmp.resolve(name);
        Files.write(file, text.getBytes(StandardCharsets.ISO_8859_1));
        return file;
    }

    /** Records and reports of a salvage pass. */
    private record Outcome(List<String> records, List<DamagedStoreException> damage) {}

    private static Outcome salvage(Path file) {
        List<String> records = new ArrayList<>();
        List<DamagedStoreException> damage = new ArrayList<>();
        try (RecordSource source = ForeignFiles.open(file, true)) {
            source.forEach(e -> records.add(Fixtures.line(e)), damage::add);
        }
        return new Outcome(records, damage);
    }

    private static List<String> strict(Path file) {
        try (RecordSource source = ForeignFiles.open(file, false)) {
            List<String> records = new ArrayList<>();
            source.forEach(e -> records.add(Fixtures.line(e)));
            return records;
        }
    }

    @Test
    void dbDumpBytevalue() throws IOException {
        Path file = write("d.txt", DB_HEADER + ALICE_HEX
                + " 00720070\n 00ff\n" // empty authid, binary value
                + "DATA=END\n");
        try (RecordSource source = ForeignFiles.open(file, false)) {
            assertEquals(StoreFormat.DB_DUMP, source.format());
        }
        assertEquals(List.of(ALICE, "\tr\tp\t00ff"), strict(file));
    }

    @Test
    void dbDumpPrintableWithEscapesAndCrlf() throws IOException {
        Path file = write("p.txt", (PRINT_HEADER
                + " dave\\00\\00userPassword\n a\\\\b c\\0d\\ff\n"
                + "DATA=END\n").replace("\n", "\r\n"));
        assertEquals(List.of("dave\t\tuserPassword\t615c622063" + "0dff"), strict(file));
    }

    @Test
    void dbDumpWithSeveralSections() throws IOException {
        Path file = write("s.txt", DB_HEADER + ALICE_HEX + "DATA=END\n"
                + DB_HEADER.replace("type=hash", "type=btree\ndatabase=other") + " 6200630064\n 01\nDATA=END\n");
        assertEquals(List.of(ALICE), strict(file).subList(0, 1));
        assertEquals(2, strict(file).size());
    }

    @Test
    void truncatedDbDumpIsDamageAfterTheRecordsBeforeIt() throws IOException {
        Path file = write("t.txt", DB_HEADER + ALICE_HEX + " 6200630064\n");
        DamagedStoreException e = assertThrows(DamagedStoreException.class, () -> strict(file));
        assertTrue(e.getMessage().contains("line 8"), e.getMessage()); // the key without its value
        Outcome o = salvage(file);
        assertEquals(List.of(ALICE), o.records());
        assertEquals(2, o.damage().size(), o.damage().toString());
        assertTrue(o.damage().get(1).getMessage().contains("without DATA=END"), o.damage().toString());
    }

    @Test
    void badHexLosesOneRecordAndNamesTheLine() throws IOException {
        Path file = write("h.txt", DB_HEADER + " 6100620063\n 7a7zSECRET\n" + ALICE_HEX + "DATA=END\n");
        DamagedStoreException e = assertThrows(DamagedStoreException.class, () -> strict(file));
        assertTrue(e.getMessage().contains("line 7"), e.getMessage());
        assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
        Outcome o = salvage(file);
        assertEquals(List.of(ALICE), o.records());
        assertEquals(1, o.damage().size());
    }

    @Test
    void recordNumberDumpsAreRefused() throws IOException {
        Path file = write("r.txt", DB_HEADER.replace("type=hash", "type=recno") + " 61\nDATA=END\n");
        assertThrows(DamagedStoreException.class, () -> salvage(file));
    }

    @Test
    void malformedKeysGoToOnDamageAndAreSkipped() throws IOException {
        Path file = write("m.txt", DB_HEADER + " 61006200630064\n 01\n" + ALICE_HEX + "DATA=END\n");
        List<String> records = new ArrayList<>();
        List<DamagedStoreException> damage = new ArrayList<>();
        try (RecordSource source = ForeignFiles.open(file, false)) {
            source.forEach(e -> records.add(Fixtures.line(e)), damage::add);
        }
        assertEquals(List.of(ALICE), records);
        assertEquals(1, damage.size());
        assertTrue(damage.get(0) instanceof MalformedKeyException);
        assertTrue(damage.get(0).getMessage().contains("line 6"), damage.get(0).getMessage());
        assertThrows(MalformedKeyException.class, () -> strict(file));
    }

    @Test
    void gdbmDump() throws IOException {
        Path file = write("g.txt", GDBM_HEADER
                + "#:len=30\nYWxpY2UAZXhhbXBsZS5vcmcAdXNlclBhc3N3b3Jk\n#:len=6\nc2VjcmV0\n"
                + "#:len=15\nAHIAdXNlclBhc3N3b3Jk\n#:len=0\n"
                + "#:count=2\n# End of data\n");
        try (RecordSource source = ForeignFiles.open(file, false)) {
            assertEquals(StoreFormat.GDBM_DUMP, source.format());
        }
        assertEquals(List.of(ALICE, "\tr\tuserPassword\t"), strict(file));
    }

    @Test
    void gdbmItemsSpanSeveralLines() throws IOException {
        Path file = write("g.txt", GDBM_HEADER
                + "#:len=30\nYWxpY2UAZXhhbXBs\nZS5vcmcAdXNlclBhc3N3b3Jk\n#:len=6\nc2Vj\ncmV0\n# End of data\n");
        assertEquals(List.of(ALICE), strict(file));
    }

    @Test
    void gdbmDamage() throws IOException {
        String alice = "#:len=30\nYWxpY2UAZXhhbXBsZS5vcmcAdXNlclBhc3N3b3Jk\n#:len=6\nc2VjcmV0\n";
        // wrong length, bad base64, wrong count, truncated: each loses at most its own record
        Path file = write("g.txt", GDBM_HEADER + alice
                + "#:len=7\nc2VjcmV0\n#:len=6\nc2VjcmV0\n"
                + "#:len=3\n!!!!\n#:len=6\nc2VjcmV0\n"
                + "#:count=9\n");
        Outcome o = salvage(file);
        assertEquals(List.of(ALICE), o.records());
        assertEquals(4, o.damage().size(), o.damage().toString());
        DamagedStoreException e = assertThrows(DamagedStoreException.class, () -> strict(file));
        assertTrue(e.getMessage().contains("line 11"), e.getMessage());
    }

    @Test
    void gdbmHeaderWithoutEndIsDamage() throws IOException {
        Path file = write("g.txt", "# GDBM dump file created by GDBM version 1.23\n#:version=1.1\n");
        assertThrows(DamagedStoreException.class, () -> salvage(file));
    }
}
