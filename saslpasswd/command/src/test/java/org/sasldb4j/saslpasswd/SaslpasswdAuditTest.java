package org.sasldb4j.saslpasswd;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.audit.AuditSettings;
import org.sasldb4j.store.audit.AuditTrail;
import org.sasldb4j.store.audit.ChangeTimes;
import org.sasldb4j.store.audit.SyslogReceiver;

/**
 * Every change saslpasswd makes reaches syslog (a private datagram socket standing in for
 * {@code /dev/log}) and the JSON-lines audit log, and no audit line holds a password or a stored
 * value.
 */
class SaslpasswdAuditTest {
    private static final List<String> PASSWORDS = List.of("Tr0ub4dor&3-first", "c0rrect-h0rse-second",
            "batch-pw-alpha", "batch-pw-beta");

    @TempDir
    Path dir;

    /** Every stored value seen during a test, in the forms an audit line could leak it. */
    private final Set<String> storedValues = new TreeSet<>();

    private Path db() {
        return dir.resolve("db");
    }

    private Path log() {
        return dir.resolve("audit.jsonl");
    }

    private Harness.Result run(SyslogReceiver syslog, String stdin, String... args) {
        Harness h = new Harness(dir).env(AuditSettings.SYSLOG_ENV, syslog.path().toString());
        if (stdin != null) {
            h.stdin(stdin);
        }
        List<String> a = new ArrayList<>(List.of("--audit-log", log().toString(), "-f", db().toString()));
        a.addAll(List.of(args));
        Harness.Result r = h.run(a.toArray(String[]::new));
        rememberValues();
        return r;
    }

    private void rememberValues() {
        if (!Files.exists(db())) {
            return;
        }
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.readOnly())) {
            s.forEach(e -> {
                byte[] v = e.value();
                storedValues.add(new String(v, ISO_8859_1));
                storedValues.add(HexFormat.of().formatHex(v));
                storedValues.add(Base64.getEncoder().encodeToString(v));
            });
        }
    }

    private List<String> changes(List<String> lines) {
        List<String> out = new ArrayList<>();
        Pattern p = Pattern.compile("\"change\":\"([a-z-]+)\"(?:,\"account\":\"([^\"]*)\")?");
        for (String l : lines) {
            Matcher m = p.matcher(l);
            assertTrue(m.find(), l);
            out.add(m.group(1) + (m.group(2) == null ? "" : " " + m.group(2)));
        }
        return out;
    }

    private void assertNoSecretIn(List<String> lines) {
        for (String l : lines) {
            for (String pw : PASSWORDS) {
                assertFalse(l.contains(pw), "a password in the audit trail: " + l);
            }
            for (String v : storedValues) {
                if (v.length() >= 6 && !v.startsWith("disabled ") && !v.matches("[0-9T:Z-]+")) {
                    assertFalse(l.contains(v), "a stored value in the audit trail: " + l);
                }
            }
        }
    }

    @Test
    void eachSingleChangeIsOneRecordInSyslogAndTheFile() throws Exception {
        try (SyslogReceiver syslog = new SyslogReceiver(dir.resolve("log"))) {
            assertEquals(0, run(syslog, PASSWORDS.get(0), "-p", "-c", "alice@example.org").rc());
            assertEquals(0, run(syslog, PASSWORDS.get(1), "-p", "-n", "alice@example.org").rc());
            assertEquals(0, run(syslog, null, "--disable", "alice@example.org").rc());
            Harness.Result again = run(syslog, null, "--disable", "alice@example.org"); // no change: no record
            assertEquals(0, again.rc(), again.err());
            assertEquals(0, run(syslog, null, "--enable", "alice@example.org").rc());
            assertEquals(0, run(syslog, null, "-d", "alice@example.org").rc());
            assertEquals(0, run(syslog, null, "-d", "alice@example.org").rc()); // nothing deleted: no record

            List<String> lines = Files.readAllLines(log());
            List<String> expected = List.of("created alice@example.org", "password-set alice@example.org",
                    "disabled alice@example.org", "enabled alice@example.org", "deleted alice@example.org");
            assertEquals(expected, changes(lines));
            assertTrue(lines.get(0).contains("\"tool\":\"saslpasswd\""), lines.get(0));
            assertTrue(lines.get(0).contains("\"store\":\"" + db() + "\""), lines.get(0));
            assertTrue(lines.get(0).contains("\"schemes\":[\"plaintext\"]"), lines.get(0));
            assertTrue(lines.get(1).contains("\"schemes\":[\"argon2id\",\"scram-sha-1\",\"scram-sha-256\"]"),
                    lines.get(1));
            assertTrue(lines.get(0).matches("\\{\"time\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z\".*"),
                    lines.get(0));

            List<String> datagrams = syslog.drain();
            assertEquals(5, datagrams.size(), datagrams.toString());
            for (int i = 0; i < 5; i++) {
                String[] want = expected.get(i).split(" ");
                assertTrue(datagrams.get(i).startsWith("<85>"), datagrams.get(i));
                assertTrue(datagrams.get(i).contains(" saslpasswd[" + ProcessHandle.current().pid() + "]: change="
                        + want[0] + " account=" + want[1] + " "), datagrams.get(i));
            }
            assertNoSecretIn(lines);
            assertNoSecretIn(datagrams);
        }
    }

    @Test
    void aBatchRecordsEachAccountAndALargeOneIsOneSummaryInSyslog() throws Exception {
        try (SyslogReceiver syslog = new SyslogReceiver(dir.resolve("log"))) {
            assertEquals(0, run(syslog, PASSWORDS.get(0), "-p", "old@r").rc());
            Path batch = Files.writeString(dir.resolve("batch"), "add new@r " + PASSWORDS.get(2) + "\n"
                    + "add old@r " + PASSWORDS.get(3) + "\ndel old@r\ndel ghost@r\n");
            Harness.Result r = run(syslog, null, "--batch", batch.toString(), "--schemes", "plaintext,argon2id");
            assertEquals(0, r.rc(), r.err());
            List<String> lines = Files.readAllLines(log());
            // Applied in key order: new@r, then old@r's lines in file order.
            assertEquals(List.of("created old@r", "created new@r", "password-set old@r", "deleted old@r"),
                    changes(lines));
            assertTrue(lines.get(1).contains("\"schemes\":[\"plaintext\",\"argon2id\"]"), lines.get(1));
            assertEquals(4, syslog.drain().size());

            StringBuilder big = new StringBuilder();
            for (int i = 0; i <= AuditTrail.SYSLOG_ACCOUNT_LIMIT; i++) {
                big.append("add u").append(i).append("@big ").append(PASSWORDS.get(2)).append('\n');
            }
            Files.writeString(batch, big);
            assertEquals(0, run(syslog, null, "--batch", batch.toString()).rc());
            List<String> datagrams = syslog.drain();
            assertEquals(1, datagrams.size(), datagrams.toString());
            assertTrue(datagrams.get(0).contains("change=batch schemes=plaintext store=" + db() + " source="
                    + batch + " created=101 password-set=0 deleted=0 "), datagrams.get(0));
            List<String> all = Files.readAllLines(log());
            assertEquals(4 + 101 + 1, all.size());
            assertTrue(all.get(all.size() - 1).contains("\"change\":\"batch\""), all.get(all.size() - 1));
            assertNoSecretIn(all);
            assertNoSecretIn(datagrams);
        }
    }

    @Tag("attack")
    @Test
    void aSymlinkedAuditLogStopsTheRunBeforeAnyChange() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "keep\n");
        Files.createSymbolicLink(log(), victim);
        try (SyslogReceiver syslog = new SyslogReceiver(dir.resolve("log"))) {
            Harness.Result r = run(syslog, PASSWORDS.get(0), "-p", "-c", "alice@r");
            assertEquals(1, r.rc());
            assertTrue(r.err().matches("saslpasswd: the audit log \\S+ is a symbolic link; .*\n"), r.err());
            assertFalse(Files.exists(db()), "the store was created although the audit log was refused");
            assertEquals("keep\n", Files.readString(victim));
            assertEquals(List.of(), syslog.drain());
        }
    }

    @Test
    void aFailedAuditWriteIsAWarningAndTheChangeStands() {
        Harness.Result r = new Harness(dir).env(AuditSettings.SYSLOG_ENV, dir.resolve("no-syslog").toString())
                .stdin(PASSWORDS.get(0)).run("-p", "-f", db().toString(), "bob@r");
        assertEquals(0, r.rc());
        assertEquals("saslpasswd: warning: cannot send the audit record to syslog at " + dir.resolve("no-syslog")
                + ": nothing listens there; the change itself was made\n", r.err());
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.readOnly())) {
            assertTrue(s.get(org.sasldb4j.store.UserId.of("bob", "r"), "userPassword").isPresent());
        }
    }

    @Test
    void changeTimesAreStoredOnlyWhenAsked() throws Exception {
        new Harness(dir).env(AuditSettings.SYSLOG_ENV, "none").stdin("pw").run("-p", "-f", db().toString(), "a@r");
        new Harness(dir).env(AuditSettings.SYSLOG_ENV, "none").env(AuditSettings.CHANGE_TIMES_ENV, "1").stdin("pw")
                .run("-p", "-f", db().toString(), "b@r");
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.readOnly())) {
            assertTrue(s.get(org.sasldb4j.store.UserId.of("a", "r"), ChangeTimes.PROPERTY).isEmpty());
            byte[] v = s.get(org.sasldb4j.store.UserId.of("b", "r"), ChangeTimes.PROPERTY).orElseThrow();
            assertTrue(ChangeTimes.parse(v).isPresent(), new String(v, StandardCharsets.US_ASCII));
        }
        new Harness(dir).env(AuditSettings.SYSLOG_ENV, "none").env(AuditSettings.CHANGE_TIMES_ENV, "1")
                .run("--disable", "-f", db().toString(), "a@r");
        try (CredentialStore s = CredentialStore.open(db(), StoreOptions.readOnly())) {
            assertTrue(s.get(org.sasldb4j.store.UserId.of("a", "r"), ChangeTimes.PROPERTY).isPresent());
        }
        // The same on the other backend: the property goes through the store API only.
        Path sqlite = dir.resolve("db.sqlite");
        assertEquals(0, new Harness(dir).env(AuditSettings.SYSLOG_ENV, "none").env(AuditSettings.CHANGE_TIMES_ENV, "on")
                .stdin("pw").run("-p", "--backend", "sqlite", "-f", sqlite.toString(), "c@r").rc());
        try (CredentialStore s = CredentialStore.open(sqlite, StoreOptions.readOnly())) {
            assertTrue(ChangeTimes.parse(s.get(org.sasldb4j.store.UserId.of("c", "r"), ChangeTimes.PROPERTY)
                    .orElseThrow()).isPresent());
        }
    }
}
