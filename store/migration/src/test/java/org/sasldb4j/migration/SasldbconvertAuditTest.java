package org.sasldb4j.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.audit.AuditSettings;
import org.sasldb4j.store.audit.SyslogReceiver;

/** A conversion is one summary audit record with its counts, in syslog and the file; never a password. */
class SasldbconvertAuditTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private static Path corpus(String name) throws URISyntaxException {
        return Path.of(SasldbconvertAuditTest.class.getResource("/corpus/" + name).toURI());
    }

    @Test
    void aConversionIsOneSummaryRecordWithCounts() throws Exception {
        Path log = dir.resolve("audit.jsonl");
        Path target = dir.resolve("new");
        try (SyslogReceiver syslog = new SyslogReceiver(dir.resolve("log"))) {
            Map<String, String> env = Map.of(AuditSettings.SYSLOG_ENV, syslog.path().toString());
            int rc = Harness.convert(out, err, env, "--audit-log", log.toString(), corpus("small.sasldb2").toString(),
                    target.toString());
            assertEquals(0, rc, err.toString());
            assertEquals(0, Harness.convert(out, err, env, "--audit-log", log.toString(), "--dry-run",
                    corpus("small.sasldb2").toString(), dir.resolve("other").toString()));
            List<String> lines = Files.readAllLines(log);
            assertEquals(1, lines.size(), "a dry run changes nothing and records nothing: " + lines);
            String line = lines.get(0);
            assertTrue(line.contains("\"tool\":\"sasldbconvert\""), line);
            assertTrue(line.contains("\"store\":\"" + target + "\",\"change\":\"converted\",\"details\":{\"source\":\""
                    + corpus("small.sasldb2") + "\",\"source_format\":\"bdb_hash\",\"merge\":false,"
                    + "\"records\":9,\"users\":9,\"realms\":5,\"skipped\":0,\"dropped\":0}}"), line);
            List<String> datagrams = syslog.drain();
            assertEquals(1, datagrams.size());
            assertTrue(datagrams.get(0).contains(" sasldbconvert[" + ProcessHandle.current().pid()
                    + "]: change=converted store=" + target + " source="), datagrams.get(0));
            // Every password of the corpus (its expected listing, value_hex column) stays out.
            for (String row : Files.readAllLines(corpus("small.expected.txt"))) {
                String[] f = row.split("\t");
                if (row.startsWith("#") || f.length < 4) {
                    continue;
                }
                String pw = new String(java.util.HexFormat.of().parseHex(f[3]), java.nio.charset.StandardCharsets.UTF_8);
                assertFalse(line.contains(pw) || datagrams.get(0).contains(pw), pw);
                assertFalse(line.contains(f[3]) || datagrams.get(0).contains(f[3]), f[3]);
            }
        }
    }

    @Tag("attack")
    @Test
    void aSymlinkedAuditLogStopsTheConversionBeforeAnyWrite() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "keep\n");
        Path log = Files.createSymbolicLink(dir.resolve("audit.jsonl"), victim);
        Path target = dir.resolve("new");
        int rc = Harness.convert(out, err, Map.of(AuditSettings.SYSLOG_ENV, "none"), "--audit-log", log.toString(),
                corpus("small.sasldb2").toString(), target.toString());
        assertEquals(1, rc);
        assertTrue(err.toString().contains("symbolic link"), err.toString());
        assertFalse(Files.exists(target));
        assertEquals("keep\n", Files.readString(victim));
    }
}
