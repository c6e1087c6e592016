package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSetupTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T02:04:05.678Z"), ZoneOffset.ofHours(1));

    @TempDir
    Path dir;

    @AfterEach
    void reset() {
        LogManager.getLogManager().reset();
    }

    private String journalStreamOf(Path p) throws Exception {
        Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino");
        return a.get("dev") + ":" + a.get("ino");
    }

    @Test
    void journalOnlyWhenJournalStreamNamesStderr() throws Exception {
        Path stderr = Files.createFile(dir.resolve("stderr"));
        Path other = Files.createFile(dir.resolve("other"));
        assertEquals(LogSetup.Destination.JOURNAL,
                LogSetup.detect(Map.of("JOURNAL_STREAM", journalStreamOf(stderr)), stderr));
        // Inherited by a child whose stderr was redirected: not the journal.
        assertEquals(LogSetup.Destination.STREAM,
                LogSetup.detect(Map.of("JOURNAL_STREAM", journalStreamOf(other)), stderr));
        assertEquals(LogSetup.Destination.STREAM, LogSetup.detect(Map.of(), stderr));
        for (String junk : new String[] {"", ":", "12", "a:b", "1:", ":2", "99999999999999999999:1"}) {
            assertEquals(LogSetup.Destination.STREAM, LogSetup.detect(Map.of("JOURNAL_STREAM", junk), stderr), junk);
        }
        assertEquals(LogSetup.Destination.STREAM,
                LogSetup.detect(Map.of("JOURNAL_STREAM", journalStreamOf(stderr)), dir.resolve("missing")));
    }

    private static String log(LogSetup.Destination d, Level level) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogSetup.configure(new PrintStream(out, true, StandardCharsets.UTF_8), level, d, CLOCK);
        Logger l = Logger.getLogger("org.sasldb4j.auxprop.daemon.test");
        l.severe("store gone");
        l.warning("slow");
        l.info("auth dovecot: ok");
        l.fine("detail");
        l.info("two\nlines");
        Logger.getLogger("sun.security.test").fine("library debug");
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void journalLinesCarryPriorityAndNoTimestamp() {
        String out = log(LogSetup.Destination.JOURNAL, Level.FINE);
        assertEquals("<3>store gone\n<4>slow\n<6>auth dovecot: ok\n<7>detail\n<6>two\\nlines\n", out);
    }

    @Test
    void streamLinesCarryAZonedTimestamp() {
        String out = log(LogSetup.Destination.STREAM, Level.INFO);
        String[] lines = out.split("\n");
        assertEquals(4, lines.length, out);
        long pid = ProcessHandle.current().pid();
        assertEquals("2026-01-02T03:04:05.678+01:00 sasldb-authd[" + pid + "]: SEVERE store gone", lines[0]);
        assertEquals("2026-01-02T03:04:05.678+01:00 sasldb-authd[" + pid + "]: INFO two\\nlines", lines[3]);
        assertFalse(out.contains("detail"));
    }

    @Test
    void utcIsMarkedAsSuch() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogSetup.configure(new PrintStream(out, true, StandardCharsets.UTF_8), Level.INFO, LogSetup.Destination.STREAM,
                Clock.fixed(Instant.parse("2026-07-01T00:00:00Z"), ZoneId.of("UTC")));
        Logger.getLogger("org.sasldb4j.x").info("m");
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("2026-07-01T00:00:00.000Z "), out::toString);
    }

    @Test
    void priorities() {
        assertEquals(3, LogSetup.priority(Level.SEVERE));
        assertEquals(4, LogSetup.priority(Level.WARNING));
        assertEquals(6, LogSetup.priority(Level.INFO));
        assertEquals(7, LogSetup.priority(Level.CONFIG));
        assertEquals(7, LogSetup.priority(Level.FINEST));
    }
}
