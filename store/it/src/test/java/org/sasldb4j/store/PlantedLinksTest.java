package org.sasldb4j.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sasldb4j.store.OtherUser.NOBODY;
import static org.sasldb4j.store.OtherUser.asNobody;
import static org.sasldb4j.store.OtherUser.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A local user who can write a store's directory plants links (and files) beside or instead of
 * the store; root then opens the store as saslpasswd, sasldblistusers or sasldbconvert would.
 * The attacker's steps run as {@code nobody} (via {@code setpriv}); the victim file, a root
 * file standing for {@code /etc/passwd}, must keep its bytes, mode, owner and group, and the
 * open must fail with one line naming the problem.
 */
@Tag("attack")
class PlantedLinksTest {
    @TempDir
    Path dir;
    Path victim;
    byte[] victimBytes;
    Map<String, Object> victimAttrs;

    /** How the tool opens the store: saslpasswd (create), a read-write batch, sasldblistusers. */
    enum Open {
        CREATE(StoreOptions.create()),
        READ_WRITE(StoreOptions.create().withAccess(StoreOptions.Access.READ_WRITE)),
        LIST(StoreOptions.readOnly()),
        SQLITE_CREATE(StoreOptions.create().withBackend(Backend.SQLITE));

        final StoreOptions options;

        Open(StoreOptions options) {
            this.options = options;
        }
    }

    @BeforeEach
    void victimFile() throws IOException {
        assertEquals(0, ThisProcess.euid(), "these tests replay an attack by another user: run them as root (CI does)");
        // The attacker (nobody) must be able to reach the directories below.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        victim = dir.resolve("passwd");
        Files.writeString(victim, "root:x:0:0:root:/root:/bin/bash\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
        victimBytes = Files.readAllBytes(victim);
        victimAttrs = Files.readAttributes(victim, "unix:mode,uid,gid,ino,nlink");
    }

    @AfterEach
    void victimUnchanged() throws IOException {
        System.clearProperty(SafeDirectories.TRUSTED_PROPERTY);
        assertArrayEquals(victimBytes, Files.readAllBytes(victim), "the victim's bytes changed");
        assertEquals(victimAttrs, Files.readAttributes(victim, "unix:mode,uid,gid,ino,nlink"),
                "the victim's mode, owner, group or inode changed");
    }

    /** A directory the attacker can write: mode 0777 (a careless spool) or 1777 (like /tmp). */
    Path spool(String mode) throws IOException {
        Path d = Files.createDirectory(dir.resolve("spool"));
        run(List.of("chmod", mode, d.toString()));
        return d;
    }

    /** A store with one user, made by root before anyone could plant anything. */
    Path storeIn(Path d, Backend backend) {
        Path db = d.resolve("sasldb2");
        try (CredentialStore s = CredentialStore.open(db, StoreOptions.create().withBackend(backend))) {
            s.update(w -> w.put(UserId.of("alice", "ex.org"), "userPassword", "pw".getBytes(UTF_8)));
        }
        return db;
    }

    static UnsafePermissionsException refused(Path db, Open how) {
        UnsafePermissionsException e = assertThrows(UnsafePermissionsException.class,
                () -> CredentialStore.open(db, how.options).close());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @ParameterizedTest
    @EnumSource(Open.class)
    void lockLinkInAWorldWritableDirectory(Open how) throws IOException {
        Path d = spool("0755");
        Path db = storeIn(d, how == Open.SQLITE_CREATE ? Backend.SQLITE : Backend.LMDB);
        run(List.of("chmod", "0777", d.toString()));
        String side = how == Open.SQLITE_CREATE ? "-wal" : "-lock";
        asNobody("rm", "-f", db + side);
        asNobody("ln", "-s", victim.toString(), db + side);
        UnsafePermissionsException e = refused(db, how);
        assertTrue(e.getMessage().contains("directory " + d.toRealPath() + " has mode 0777"), e.getMessage());
        assertTrue(e.getMessage().contains("chmod go-w " + d.toRealPath()), e.getMessage());
    }

    @Test
    void groupWritableDirectoryIsRefusedToo() throws IOException {
        Path d = spool("0755");
        Path db = storeIn(d, Backend.LMDB);
        run(List.of("chmod", "0775", d.toString()));
        assertTrue(refused(db, Open.LIST).getMessage().contains("has mode 0775"));
    }

    @ParameterizedTest
    @EnumSource(Open.class)
    void lockLinkPlantedBeforeTheFirstOpenInAStickyDirectory(Open how) throws IOException {
        Path d = spool("1777");
        Path db = storeIn(d, how == Open.SQLITE_CREATE ? Backend.SQLITE : Backend.LMDB);
        String side = how == Open.SQLITE_CREATE ? "-shm" : "-lock";
        Files.deleteIfExists(Path.of(db + side));
        asNobody("ln", "-s", victim.toString(), db + side);
        UnsafePermissionsException e = refused(db, how);
        assertTrue(e.getMessage().contains(db + side), e.getMessage());
    }

    @Test
    void lockLinkInATrustedDirectoryIsStillRefused() throws IOException {
        Path d = spool("0755");
        Path db = storeIn(d, Backend.LMDB);
        run(List.of("chmod", "0777", d.toString()));
        System.setProperty(SafeDirectories.TRUSTED_PROPERTY, d.toRealPath().toString());
        try (CredentialStore s = CredentialStore.open(db, StoreOptions.readOnly())) {
            assertEquals(1, s.user(UserId.of("alice", "ex.org")).size(), "the override lets the store be used");
        }
        asNobody("rm", "-f", db + "-lock");
        asNobody("ln", "-s", victim.toString(), db + "-lock");
        assertTrue(refused(db, Open.CREATE).getMessage().contains("is a symbolic link"));
    }

    @Test
    void hardLinkedLockIsRefused() throws IOException {
        // Where protected_hardlinks is off, anyone can hard-link root's files; root does it here.
        Path d = spool("0755");
        Path db = storeIn(d, Backend.LMDB);
        Files.delete(Path.of(db + "-lock"));
        Files.createLink(Path.of(db + "-lock"), victim);
        assertTrue(refused(db, Open.LIST).getMessage().contains("2 hard links"));
        Files.delete(Path.of(db + "-lock"));
    }

    @Test
    void plantedWorldWritableEmptyStoreIsNotTakenOver() throws IOException {
        Path d = spool("1777");
        Path db = d.resolve("sasldb2");
        asNobody("sh", "-c", "umask 0; : > " + db);
        UnsafePermissionsException e = refused(db, Open.CREATE);
        assertTrue(e.getMessage().contains("belongs to user " + NOBODY), e.getMessage());
        assertEquals(0, Files.size(db), "nothing written into the planted file");
        assertFalse(Files.exists(Path.of(db + "-lock"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void plantedLinkToAnEmptyFileIsNotFollowed() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty"));
        Path d = spool("1777");
        Path db = d.resolve("sasldb2");
        asNobody("ln", "-s", empty.toString(), db.toString());
        UnsafePermissionsException e = refused(db, Open.CREATE);
        assertTrue(e.getMessage().contains("symbolic link of user " + NOBODY), e.getMessage());
        assertEquals(0, Files.size(empty));
    }

    @Test
    void ownLinkToAnEmptyFileIsNotInitialisedThroughTheLink() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty"));
        Path db = Files.createSymbolicLink(dir.resolve("sasldb2"), empty);
        assertTrue(refused(db, Open.CREATE).getMessage().contains("link to the empty file " + empty.toRealPath()));
        assertEquals(0, Files.size(empty));
    }

    @Test
    void danglingLinkIsNotCreatedThrough() throws IOException {
        Path db = Files.createSymbolicLink(dir.resolve("sasldb2"), dir.resolve("elsewhere"));
        StoreException e = assertThrows(StoreException.class, () -> CredentialStore.open(db, Open.CREATE.options));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("elsewhere")));
    }

    @Test
    void plantedDirectoryLinkOnThePathIsNotFollowed() throws IOException {
        Path d = spool("1777");
        Path target = Files.createDirectory(dir.resolve("target"));
        asNobody("ln", "-s", target.toString(), d.resolve("evil").toString());
        UnsafePermissionsException e = refused(d.resolve("evil").resolve("sasldb2"), Open.CREATE);
        assertTrue(e.getMessage().contains("symbolic link of user " + NOBODY), e.getMessage());
        try (var files = Files.list(target)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void directoryOfAnotherUserIsRefused() throws IOException {
        Path d = spool("0755");
        Path db = storeIn(d, Backend.LMDB);
        run(List.of("chown", NOBODY + "", d.toString()));
        assertTrue(refused(db, Open.LIST).getMessage().contains("belongs to user " + NOBODY));
    }

    @Test
    void touchedEmptyStoreEndsAtTheSafeMode() throws IOException {
        // umask 022; touch z; saslpasswd -f z u@r: z was 0644 and stayed so.
        Path z = Files.createFile(dir.resolve("z"));
        Files.setPosixFilePermissions(z, PosixFilePermissions.fromString("rw-rw-rw-"));
        try (CredentialStore s = CredentialStore.open(z, StoreOptions.create())) {
            s.update(w -> w.put(UserId.of("u", "r"), "userPassword", "pw".getBytes(UTF_8)));
        }
        int safe = ThisProcess.newFileMode();
        assertEquals(0666 & safe, mode(z));
        assertEquals(0, mode(Path.of(z + "-lock")) & ~safe, "the lock file is no wider than the store");
    }

    @Test
    void storeInAPrivateDirectoryUnderTmpOpens() throws IOException {
        // JUnit's @TempDir: 0700 (here 0711) under the sticky /tmp; also Debian's /etc layout.
        Path db = storeIn(dir, Backend.LMDB);
        try (CredentialStore s = CredentialStore.open(db, StoreOptions.readOnly().readingSecrets())) {
            assertEquals(1, s.user(UserId.of("alice", "ex.org")).size());
        }
    }

    /** docs/sqlite.md's layout: the readers' group may write the directory (2770 root:GROUP). */
    Path sqliteSpool() throws IOException {
        Path d = spool("0755");
        run(List.of("chgrp", NOBODY + "", d.toString()));
        run(List.of("chmod", "2770", d.toString()));
        return d;
    }

    @Test
    void sqliteStoreInItsReadersGroupWritableDirectoryOpens() throws IOException {
        Path d = sqliteSpool();
        Path db = storeIn(d, Backend.SQLITE);
        try (CredentialStore s = CredentialStore.open(db, StoreOptions.readOnly())) {
            assertEquals(1, s.user(UserId.of("alice", "ex.org")).size());
        }
        Path lmdb = d.resolve("lmdb");
        assertTrue(refused(lmdb, Open.CREATE).getMessage().contains("has mode 02770"),
                "an LMDB store is not allowed there: LMDB follows links for its lock file");
    }

    @Test
    void groupMemberSwappingTheSqliteStoreForALinkIsRefused() throws IOException {
        Path d = sqliteSpool();
        Path db = storeIn(d, Backend.SQLITE);
        asNobody("rm", "-f", db.toString());
        asNobody("ln", "-s", victim.toString(), db.toString());
        assertTrue(refused(db, Open.SQLITE_CREATE).getMessage().contains("symbolic link of user " + NOBODY));
        asNobody("rm", "-f", db.toString());
        storeIn(d, Backend.SQLITE);
        asNobody("ln", "-s", victim.toString(), db + "-journal");
        assertTrue(refused(db, Open.LIST).getMessage().contains("is a symbolic link"));
    }

    @Test
    void sqliteItselfNeverOpensTheDatabaseThroughALink() throws IOException {
        Path db = storeIn(dir, Backend.SQLITE);
        Path link = Files.createSymbolicLink(dir.resolve("link"), db);
        assertThrows(StoreException.class, () -> org.sasldb4j.store.sqlite.SqliteBackend.open(link, true).close());
        try (CredentialStore s = CredentialStore.open(link, StoreOptions.readOnly())) {
            assertEquals(1, s.user(UserId.of("alice", "ex.org")).size(), "a link root made is resolved by the opener");
        }
    }

    static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0777;
    }
}
