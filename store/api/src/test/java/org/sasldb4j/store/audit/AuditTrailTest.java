package org.sasldb4j.store.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.UserId;

/** The trail end to end: records reach a real datagram socket and the JSON-lines file. */
class AuditTrailTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private AuditTrail trail(Map<String, String> env) {
        return AuditTrail.open(AuditSettings.fromEnvironment(env::get, "saslpasswd", "9.9", null), env::get,
                warnings::add);
    }

    @Test
    void aRecordReachesTheSyslogSocketAsAuthprivNoticeTaggedWithTheTool() throws Exception {
        try (SyslogReceiver syslog = new SyslogReceiver(dir.resolve("log"));
                AuditTrail t = trail(Map.of(AuditSettings.SYSLOG_ENV, syslog.path().toString()))) {
            t.record(Path.of("/etc/sasldb2"), Change.PASSWORD_SET, UserId.of("bob", "example.org"),
                    List.of("plaintext"));
            List<String> got = syslog.drain();
            assertEquals(1, got.size(), got.toString());
            String d = got.get(0);
            assertTrue(d.matches("<85>[A-Z][a-z]{2} [ 1-3][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} saslpasswd\\["
                    + ProcessHandle.current().pid() + "\\]: change=password-set account=bob@example.org"
                    + " schemes=plaintext store=/etc/sasldb2 uid=[0-9]+ .*version=9\\.9 time=\\S+Z"), d);
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void aMissingDefaultSocketIsSilentButANamedOneIsAWarningOnce() {
        Map<String, String> env = new HashMap<>();
        env.put(AuditSettings.SYSLOG_ENV, dir.resolve("absent").toString());
        try (AuditTrail t = trail(env)) {
            t.record(dir, Change.DELETED, UserId.of("a", "r"), List.of());
            t.record(dir, Change.DELETED, UserId.of("b", "r"), List.of());
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("the change itself was made"), warnings.get(0));
        warnings.clear();
        SyslogSink quiet = new SyslogSink(dir.resolve("absent").toString(), false, "t", 1);
        assertEquals(null, quiet.send(record("x")));
    }

    @Test
    void theFileGetsOneJsonLinePerRecordAndIsCreated0640() throws Exception {
        Path log = dir.resolve("audit.jsonl");
        Map<String, String> env = Map.of(AuditSettings.SYSLOG_ENV, "none", AuditSettings.FILE_ENV, log.toString());
        try (AuditTrail t = trail(env)) {
            t.record(dir.resolve("db"), Change.CREATED, UserId.of("alice", "example.org"), List.of("argon2id"));
            t.record(dir.resolve("db"), Change.DISABLED, UserId.of("alice", "example.org"), List.of());
        }
        List<String> lines = Files.readAllLines(log);
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).startsWith("{\"time\":\""), lines.get(0));
        assertTrue(lines.get(0).contains("\"tool\":\"saslpasswd\",\"version\":\"9.9\""), lines.get(0));
        assertTrue(lines.get(0).contains("\"change\":\"created\",\"account\":\"alice@example.org\","
                + "\"schemes\":[\"argon2id\"]}"), lines.get(0));
        assertTrue(lines.get(1).contains("\"change\":\"disabled\""), lines.get(1));
        int umask = org.sasldb4j.store.ThisProcess.umask();
        assertEquals(PosixFilePermissions.toString(PosixFilePermissions.fromString("rw-r-----")
                        .stream().filter(p -> (umask & (1 << (8 - p.ordinal()))) == 0)
                        .collect(java.util.stream.Collectors.toSet())),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
    }

    @Test
    void aLargeRunGoesToSyslogAsOneSummaryButEveryAccountGoesToTheFile() throws Exception {
        Path log = dir.resolve("audit.jsonl");
        try (SyslogReceiver syslog = new SyslogReceiver(dir.resolve("log"));
                AuditTrail t = trail(Map.of(AuditSettings.SYSLOG_ENV, syslog.path().toString(),
                        AuditSettings.FILE_ENV, log.toString()))) {
            int n = AuditTrail.SYSLOG_ACCOUNT_LIMIT + 1;
            AuditTrail.Bulk bulk = t.bulk(n);
            for (int i = 0; i < n; i++) {
                bulk.record(t.of(dir, Change.CREATED, UserId.of("u" + i, "r"), List.of("plaintext"), Map.of()));
            }
            bulk.finish(t.of(dir, Change.PASSWORD_SET, null, List.of(), Map.of("accounts", (long) n)));
            List<String> got = syslog.drain();
            assertEquals(1, got.size());
            assertTrue(got.get(0).contains("accounts=101"), got.get(0));
            assertEquals(n + 1, Files.readAllLines(log).size());
        }
        try (SyslogReceiver syslog = new SyslogReceiver(dir.resolve("log2"));
                AuditTrail t = trail(Map.of(AuditSettings.SYSLOG_ENV, syslog.path().toString()))) {
            AuditTrail.Bulk bulk = t.bulk(2);
            bulk.record(t.of(dir, Change.DELETED, UserId.of("a", "r"), List.of(), Map.of()));
            bulk.record(t.of(dir, Change.DELETED, UserId.of("b", "r"), List.of(), Map.of()));
            bulk.finish(t.of(dir, Change.DELETED, null, List.of(), Map.of()));
            assertEquals(2, syslog.drain().size());
            assertFalse(bulk.summarised());
        }
    }

    @Test
    void aServerRecordsARehashAsTheClassCommentShows() throws Exception {
        Path log = dir.resolve("audit.jsonl");
        try (SyslogReceiver syslog = new SyslogReceiver(dir.resolve("log"))) {
            Map<String, String> env = Map.of(AuditSettings.SYSLOG_ENV, syslog.path().toString());
            try (AuditTrail audit = AuditTrail.open(
                    AuditSettings.fromEnvironment(env::get, "sasldb-authd", "1.2", log), env::get, warnings::add)) {
                audit.record(Path.of("/etc/sasldb2"), Change.REHASHED, UserId.of("carol", "example.org"),
                        List.of("argon2id", "scram-sha-256"));
            }
            List<String> got = syslog.drain();
            assertEquals(1, got.size());
            assertTrue(got.get(0).contains(" sasldb-authd[" + ProcessHandle.current().pid() + "]: change=rehashed"
                    + " account=carol@example.org schemes=argon2id,scram-sha-256 store=/etc/sasldb2 "), got.get(0));
        }
        List<String> lines = Files.readAllLines(log);
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).contains("\"tool\":\"sasldb-authd\",\"version\":\"1.2\""), lines.get(0));
        assertTrue(lines.get(0).endsWith("\"change\":\"rehashed\",\"account\":\"carol@example.org\","
                + "\"schemes\":[\"argon2id\",\"scram-sha-256\"]}"), lines.get(0));
        assertEquals(List.of(), warnings);
    }

    @Test
    void changeTimesAreStampedOnlyWhenAsked() {
        assertFalse(AuditSettings.fromEnvironment(Map.<String, String>of()::get, "t", "v", null).changeTimes());
        assertTrue(AuditSettings.fromEnvironment(Map.of(AuditSettings.CHANGE_TIMES_ENV, "yes")::get, "t", "v", null)
                .changeTimes());
        assertEquals("2026-12-03T23:29:30Z", new String(ChangeTimes.value(Instant.parse("2026-12-03T23:29:30.987Z")),
                java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(Instant.parse("2026-12-03T23:29:30Z"),
                ChangeTimes.parse("2026-12-03T23:29:30Z".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                        .orElseThrow());
        assertTrue(ChangeTimes.parse("not a time at all, really".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .isEmpty());
    }

    static AuditRecord record(String account) {
        return new AuditRecord(Instant.EPOCH, new Actor(0, "root", "alice", 1000, 42), "saslpasswd", "1",
                "/etc/sasldb2", Change.CREATED, account, List.of("plaintext"), Map.of());
    }
}
