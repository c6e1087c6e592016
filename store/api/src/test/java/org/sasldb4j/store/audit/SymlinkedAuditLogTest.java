package org.sasldb4j.store.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.UnsafePermissionsException;

/**
 * Attack: a link planted at the audit log's name, so that a tool run by root appends to (or
 * creates) a file of the attacker's choice; or a FIFO that blocks the tool; or a world-writable
 * log whose lines anyone could forge. Each is refused before anything is written.
 */
@Tag("attack")
class SymlinkedAuditLogTest {
    @TempDir
    Path dir;

    private static AuditTrail open(Path log) {
        Map<String, String> env = Map.of(AuditSettings.SYSLOG_ENV, "none");
        return AuditTrail.open(AuditSettings.fromEnvironment(env::get, "saslpasswd", "1", log), env::get, w -> { });
    }

    @Test
    void aSymlinkedAuditLogIsRefusedAndItsTargetUntouched() throws Exception {
        Path victim = Files.writeString(dir.resolve("shadow"), "root:x:0:\n");
        Path log = Files.createSymbolicLink(dir.resolve("audit.jsonl"), victim);
        StoreException e = assertThrows(StoreException.class, () -> open(log));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertEquals("root:x:0:\n", Files.readString(victim));
        Path dangling = Files.createSymbolicLink(dir.resolve("audit2.jsonl"), dir.resolve("created-by-link"));
        assertThrows(StoreException.class, () -> open(dangling));
        assertTrue(Files.notExists(dir.resolve("created-by-link")));
    }

    @Test
    void aFifoIsRefused() throws Exception {
        Path fifo = dir.resolve("audit.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        StoreException e = assertThrows(StoreException.class, () -> open(fifo));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void aWorldWritableLogIsRefused() throws Exception {
        Path log = Files.createFile(dir.resolve("audit.jsonl"));
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-rw-rw-"));
        UnsafePermissionsException e = assertThrows(UnsafePermissionsException.class, () -> open(log));
        assertTrue(e.getMessage().contains("chmod o-w"), e.getMessage());
    }

    @Test
    void aLogInAGroupWritableDirectoryIsRefused() throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwx---"));
        assertThrows(UnsafePermissionsException.class, () -> open(shared.resolve("audit.jsonl")));
        assertTrue(Files.notExists(shared.resolve("audit.jsonl")));
    }
}
