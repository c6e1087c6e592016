package org.sasldb4j.store.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two forms of a record: fixed JSON, one line whatever an account holds. */
class AuditRecordTest {

    @Test
    void jsonHasTheFieldsInAFixedOrder() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("records", 12L);
        details.put("source", "/etc/sasldb2.db");
        AuditRecord r = new AuditRecord(Instant.parse("2026-12-03T23:29:30.123456Z"),
                new Actor(0, "root", "alice", 1000, 42), "sasldbconvert", "0.1.0", "/etc/sasldb2", Change.CONVERTED,
                null, List.of(), details);
        assertEquals("{\"time\":\"2026-12-03T23:29:30.123Z\",\"tool\":\"sasldbconvert\",\"version\":\"0.1.0\","
                + "\"pid\":42,\"uid\":0,\"user\":\"root\",\"sudo_user\":\"alice\",\"sudo_uid\":1000,"
                + "\"store\":\"/etc/sasldb2\",\"change\":\"converted\","
                + "\"details\":{\"records\":12,\"source\":\"/etc/sasldb2.db\"}}", r.toJson());
        assertEquals("change=converted store=/etc/sasldb2 records=12 source=/etc/sasldb2.db uid=0 user=root"
                + " sudo_user=alice sudo_uid=1000 version=0.1.0 time=2026-12-03T23:29:30.123Z", r.toSyslogText());
    }

    @Test
    void anAccountNameCannotBreakALineOrForgeAField() {
        String evil = "eve\n{\"change\":\"deleted\"} \"x\\y\u2028\u0000@r";
        AuditRecord r = AuditTrailTest.record(evil);
        String json = r.toJson();
        String text = r.toSyslogText();
        assertFalse(json.contains("\n") || json.contains("\u2028") || json.contains("\u0000"), json);
        assertFalse(text.contains("\n") || text.contains("\u2028") || text.contains("\u0000"), text);
        assertTrue(json.contains("\"account\":\"eve\\n{\\\"change\\\":\\\"deleted\\\"} \\\"x\\\\y\\u2028\\u0000@r\""),
                json);
        assertTrue(text.contains("account=\"eve\\x0a{\\\"change\\\":\\\"deleted\\\"} \\\"x\\\\y\\u2028\\x00@r\""),
                text);
    }

    @Test
    void sudoFieldsAreLeftOutWhenAbsent() {
        AuditRecord r = new AuditRecord(Instant.EPOCH, new Actor(1000, "bob", null, -1, 7), "saslpasswd", "1",
                "/s", Change.DELETED, "a@r", List.of(), Map.of());
        assertFalse(r.toJson().contains("sudo"), r.toJson());
        assertFalse(r.toSyslogText().contains("sudo"), r.toSyslogText());
    }

    @Test
    void sudoIsBelievedOnlyBehindRoot() {
        Map<String, String> env = Map.of("SUDO_USER", "mallory", "SUDO_UID", "0");
        Actor a = Actor.current(env::get);
        if (a.uid() == 0) {
            assertEquals("mallory", a.sudoUser());
            assertEquals(0, a.sudoUid());
        } else {
            assertEquals(null, a.sudoUser());
            assertEquals(-1, a.sudoUid());
        }
        assertEquals(ProcessHandle.current().pid(), a.pid());
    }
}
