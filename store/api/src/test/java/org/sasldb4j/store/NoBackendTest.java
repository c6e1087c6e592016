package org.sasldb4j.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * This module's test class path holds no backend (the API depends on none): opening or creating
 * a store says which module to add, and touches nothing.
 */
class NoBackendTest {
    @TempDir
    Path dir;

    @Test
    void noBackendIsFoundWithoutItsModule() {
        assertTrue(StoreBackends.of(Backend.LMDB).isEmpty());
        assertTrue(StoreBackends.of(StoreFormat.SQLITE).isEmpty());
    }

    @Test
    void anLmdbFileNamesTheModuleToAdd() throws IOException {
        byte[] page = new byte[4096];
        ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0xBEEFC0DE);
        Path p = Files.write(dir.resolve("sasldb"), page);
        StoreException e = assertThrows(StoreException.class, () -> CredentialStore.open(p, StoreOptions.readOnly()));
        assertEquals(p + ": no backend for LMDB stores: add sasldb4j-store-lmdb to the class path", e.getMessage());
        assertArrayEquals(page, Files.readAllBytes(p));
        assertFalse(Files.exists(Path.of(p + "-lock")));
    }

    @Test
    void creatingAStoreLeavesNoFileBehind() {
        Path p = dir.resolve("new");
        StoreException e = assertThrows(StoreException.class,
                () -> CredentialStore.open(p, StoreOptions.create().withBackend(Backend.SQLITE)));
        assertEquals(p + ": no backend for SQLITE stores: add sasldb4j-store-sqlite to the class path", e.getMessage());
        assertFalse(Files.exists(p));
    }
}
