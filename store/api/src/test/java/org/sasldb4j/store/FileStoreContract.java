package org.sasldb4j.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a store kept in a file must do beyond {@link CredentialStoreContract}: recognition from
 * content, zero-byte files, file modes and inodes, foreign files left untouched, and keys of any
 * bytes (a server store keeps keys as text).
 */
public abstract class FileStoreContract extends CredentialStoreContract {
    @TempDir
    protected Path dir;

    @Override
    protected StoreFormat expectedFormat() {
        return backend() == Backend.LMDB ? StoreFormat.LMDB : StoreFormat.SQLITE;
    }

    /** This test's store: {@code db} in the temporary directory. */
    @Override
    protected String storeName() {
        return dir.resolve("db").toString();
    }

    @Override
    protected void assertNothingCreated() {
        assertFalse(Files.exists(dir.resolve("db")));
    }

    protected CredentialStore create(Path p) {
        return CredentialStore.open(p, StoreOptions.create().withBackend(backend()));
    }

    /** A store "db" in {@link #dir} holding one record, alice's userPassword "p": the start of the file-level tests. */
    protected Path storeWithAlice() {
        createWithAlice();
        return dir.resolve("db");
    }

    @Test
    void theCreatedFileIsRecognisedFromItsContent() {
        Path p = dir.resolve("sasldb");
        try (CredentialStore s = create(p)) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("secret")));
        }
        assertEquals(expectedFormat(), StoreFormat.detect(p));
    }

    @Test
    void keepsRawBytesOfKeys() {
        byte[] authid = {(byte) 0xff, 'x', (byte) 0xc3};
        UserId odd = UserId.ofBytes(authid, new byte[0]);
        try (CredentialStore s = create()) {
            s.update(w -> w.put(odd, "userPassword", bytes("v")));
            assertArrayEquals(bytes("v"), s.get(odd, "userPassword").orElseThrow());
            List<Entry> all = all(s);
            assertEquals(1, all.size());
            assertArrayEquals(authid, all.get(0).authidBytes());
        }
    }

    @Test
    void aZeroByteFileIsInitialisedKeepingItsInode() throws IOException {
        Path p = dir.resolve("db");
        Files.createFile(p);
        Object inode = Files.getAttribute(p, "unix:ino");
        try (CredentialStore s = create(p)) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("p")));
        }
        assertEquals(inode, Files.getAttribute(p, "unix:ino"));
        assertEquals(expectedFormat(), StoreFormat.detect(p));
    }

    @Test
    void aZeroByteFileReadOnlyIsAnEmptyStore() throws IOException {
        Path p = dir.resolve("db");
        Files.createFile(p);
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.readOnly())) {
            assertTrue(all(s).isEmpty());
        }
        assertEquals(0, Files.size(p));
    }

    @Test
    void refusesTextAndBerkeleyDbFilesWithoutTouchingThem() throws IOException {
        Path text = dir.resolve("text");
        Files.writeString(text, "this is not a database\n");
        Path bdb = dir.resolve("sasldb2");
        byte[] page = new byte[4096];
        page[12] = 0x61; page[13] = 0x15; page[14] = 0x06; // hash magic 0x061561, little-endian
        Files.write(bdb, page);
        for (Path p : List.of(text, bdb)) {
            byte[] before = Files.readAllBytes(p);
            ForeignFormatException e = assertThrows(ForeignFormatException.class, () -> create(p));
            assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(p));
        }
        ForeignFormatException e = assertThrows(ForeignFormatException.class, () -> create(bdb));
        assertEquals(StoreFormat.BDB_HASH, e.format());
        assertEquals(bdb, e.path()); // the commands add how to convert it; the library names no command
        assertFalse(e.getMessage().contains("sasldbconvert"), e.getMessage());
    }

    @Test
    void newFilesAreNeverAccessibleToOthers() throws IOException {
        Path p = dir.resolve("db");
        try (CredentialStore s = create(p)) {
            s.update(w -> w.put(ALICE, "userPassword", bytes("p")));
            for (Path f : StoreOpener.filesOf(s)) {
                if (Files.exists(f)) {
                    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f);
                    assertFalse(perms.contains(PosixFilePermission.OTHERS_READ), f + " " + perms);
                    assertFalse(perms.contains(PosixFilePermission.OTHERS_WRITE), f + " " + perms);
                }
            }
        }
    }

    @Test
    void changingAStoreKeepsItsInodeAndMode() throws IOException {
        Path p = storeWithAlice();
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r-----"));
        Object inode = Files.getAttribute(p, "unix:ino");
        try (CredentialStore s = create(p)) {
            s.update(w -> w.put(UserId.of("bob", "r"), "userPassword", bytes("q")));
        }
        assertEquals(inode, Files.getAttribute(p, "unix:ino"));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
    }

    @Test
    void readingSecretsRefusesAWorldReadableStore() throws IOException {
        Path p = storeWithAlice();
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        UnsafePermissionsException e = assertThrows(UnsafePermissionsException.class,
                () -> CredentialStore.open(p, StoreOptions.readOnly().readingSecrets()));
        assertTrue(e.getMessage().contains("0644"), e.getMessage());
        assertTrue(e.getMessage().contains("chmod o-rwx " + p), e.getMessage());
        // Listing (no secrets read) still works.
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.readOnly())) {
            assertEquals(1, all(s).size());
        }
    }
}
