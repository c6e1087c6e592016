package org.sasldb4j.store.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replica's position file: written atomically, read back, unreadable means "copy afresh". */
class ReplicaPositionTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsAndReplacesAtomically() throws Exception {
        Path replica = dir.resolve("sasldb2");
        assertNull(ReplicaPosition.read(replica), "no file: no position");
        Instant t = Instant.parse("2026-12-04T11:00:00.123Z");
        new ReplicaPosition("postgresql://sasldb4j@db.example:5432/sasldb4j", 41, t).write(replica);
        new ReplicaPosition("postgresql://sasldb4j@db.example:5432/sasldb4j", 42, t).write(replica);
        assertEquals(new ReplicaPosition("postgresql://sasldb4j@db.example:5432/sasldb4j", 42, t),
                ReplicaPosition.read(replica));
        assertEquals(dir.resolve("sasldb2.seq"), ReplicaPosition.fileOf(replica));
        assertFalse(Files.exists(dir.resolve("sasldb2.seq.tmp")), "the temporary file was renamed");
    }

    @Test
    void aDamagedFileIsNoPosition() throws Exception {
        Path replica = dir.resolve("sasldb2");
        Files.writeString(ReplicaPosition.fileOf(replica), "applied-seq=not a number\n");
        assertNull(ReplicaPosition.read(replica));
        Files.writeString(ReplicaPosition.fileOf(replica), "source=x\n");
        assertNull(ReplicaPosition.read(replica));
    }
}
