package org.sasldb4j.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PermissionPolicyTest {
    @TempDir
    Path dir;

    private static String sideMode(String data, String side) {
        return PosixFilePermissions.toString(
                PermissionPolicy.sideFileMode(PosixFilePermissions.fromString(data), Path.of("/x").resolve(side)));
    }

    @Test
    void lmdbLockIsWritableWhereTheDataIsReadable() {
        // The documented layout: store 0640 root:sasl, read by a daemon in group sasl.
        assertEquals("rw-rw----", sideMode("rw-r-----", "sasldb2-lock"));
        assertEquals("rw-rw----", sideMode("rw-rw----", "sasldb2-lock"));
        assertEquals("rw-------", sideMode("rw-------", "sasldb2-lock"));
        assertEquals("rw-------", sideMode("r--------", "sasldb2-lock"));
        // Others never get anything, even from a (refused) world-readable store.
        assertEquals("rw-rw----", sideMode("rw-r--r--", "sasldb2-lock"));
    }

    @Test
    void sqliteSideFilesTakeTheDataModeOnly() {
        // A group that may read a SQLite store must not be able to write its WAL (that is writing the store).
        assertEquals("rw-r-----", sideMode("rw-r-----", "sasldb2.sqlite-wal"));
        assertEquals("rw-r-----", sideMode("rw-r-----", "sasldb2.sqlite-shm"));
    }

    @Test
    void aRootRunNeverNarrowsTheLockOfAGroupReadStore() throws Exception {
        Path data = Files.createFile(dir.resolve("sasldb2"));
        Path lock = Files.createFile(dir.resolve("sasldb2-lock"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("rw-rw----"));
        PermissionPolicy.alignSideFile(data, lock);
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(lock)));
        Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("rw-------"));
        PermissionPolicy.alignSideFile(data, lock);
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(lock)));
    }
}
