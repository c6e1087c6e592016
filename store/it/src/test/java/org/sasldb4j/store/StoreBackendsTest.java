package org.sasldb4j.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With both backend modules on the class path, ServiceLoader finds each for its kind and its
 * format, and a store of each kind opens through the API alone (which names neither).
 */
class StoreBackendsTest {
    @TempDir
    Path dir;

    @Test
    void eachBackendIsFoundForItsKindAndFormat() {
        for (Backend kind : Backend.values()) {
            StoreBackend b = StoreBackends.of(kind).orElseThrow();
            assertEquals(kind, b.kind());
            assertEquals(b, StoreBackends.of(b.format()).orElseThrow());
        }
        assertEquals(StoreFormat.LMDB, StoreBackends.of(Backend.LMDB).orElseThrow().format());
        assertEquals(StoreFormat.SQLITE, StoreBackends.of(Backend.SQLITE).orElseThrow().format());
        assertTrue(StoreBackends.of(StoreFormat.BDB_HASH).isEmpty(), "Berkeley DB is read by migration only");
    }

    @Test
    void aStoreOfEachKindIsCreatedAndRecognisedByContent() throws IOException {
        for (Backend kind : Backend.values()) {
            Path p = dir.resolve("db-" + kind);
            UserId u = UserId.of("alice", "example.org");
            try (CredentialStore s = CredentialStore.open(p, StoreOptions.create().withBackend(kind))) {
                s.update(w -> w.put(u, "userPassword", new byte[] {'x'}));
            }
            StoreBackend b = StoreBackends.of(kind).orElseThrow();
            assertEquals(b.format(), StoreFormat.detect(p));
            try (CredentialStore s = CredentialStore.open(p, StoreOptions.readOnly())) {
                assertEquals(b.format(), s.format());
                assertEquals(1, s.user(u).size());
            }
            assertEquals(p, b.files(p).get(0));
            assertTrue(b.files(p).stream().skip(1).allMatch(f -> f.getFileName().toString().startsWith("db-" + kind + "-")),
                    b.files(p).toString());
            assertTrue(Files.exists(p));
        }
    }

    @Test
    void sideFilesAreTheBackendsOwn() {
        assertEquals(List.of("-lock"), StoreBackends.of(Backend.LMDB).orElseThrow().sideFileSuffixes());
        assertEquals("-lock", StoreBackends.of(Backend.LMDB).orElseThrow().sideFileCreatedFirst());
        assertEquals(null, StoreBackends.of(Backend.SQLITE).orElseThrow().sideFileCreatedFirst());
    }
}
