package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sasldb4j.auxprop.daemon.DovecotClient.b64;
import static org.sasldb4j.auxprop.daemon.DovecotClient.unb64;
import static org.sasldb4j.auxprop.daemon.SaslauthdClient.ask;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.store.Backend;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UnsafePermissionsException;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.Argon2Parameters;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretSet;

/**
 * The daemon over the real auxprop bridge and an LMDB store: plaintext (Cyrus) users, an
 * Argon2id+SCRAM user, a disabled user; changes made while it runs count at once.
 */
class BridgeBackendTest {
    private Path dir;
    private Path db;
    private AuthDaemon daemon;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "authd-bridge",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        createStore(Backend.LMDB);
        start();
    }

    private void createStore(Backend backend) {
        db = dir.resolve("sasldb-" + backend.name().toLowerCase(java.util.Locale.ROOT));
        SecretSet hashed = SecretSet.HASHED.withArgon2(new Argon2Parameters(1024, 1, 1, 16, 32));
        try (CredentialStore s = CredentialStore.open(db, StoreOptions.create().withBackend(backend))) {
            s.update(w -> {
                plain(w, UserId.of("alice", "example.org"), "alicepw");
                plain(w, UserId.of("bob", "other.test"), "bob pw ✓");
                hashed.encode(UserId.of("argon", "example.org"), "argonpw".toCharArray()).forEach(w::put);
                plain(w, UserId.of("dis", "example.org"), "dispw");
                w.put(UserId.of("dis", "example.org"), SecretProperties.DISABLED, "disabled".getBytes(StandardCharsets.UTF_8));
            });
        }
    }

    private static void plain(org.sasldb4j.store.StoreWriter w, UserId u, String pw) {
        w.put(u, SecretProperties.USER_PASSWORD, pw.getBytes(StandardCharsets.UTF_8));
    }

    private void start() throws Exception {
        start(Duration.ZERO);
    }

    private void start(Duration cacheTtl) throws Exception {
        BridgeConfig bc = BridgeConfig.of("example.org").withPolicy(SecretSet.PLAINTEXT);
        DaemonConfig cfg = new DaemonConfig(dir.resolve("auth"), dir.resolve("mux"), null, 16,
                DaemonSettings.forTests("example.org"), 64 * 1024, 1024, Duration.ofSeconds(5), cacheTtl);
        daemon = AuthDaemon.start(cfg, () -> BridgeBackend.open(db, bc, "mail.example.org"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void dovecotMechanismsOverTheBridge() throws Exception {
        try (DovecotClient c = DovecotClient.postfix(dir.resolve("auth"))) {
            c.send("AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=" + b64("\0alice\0alicepw"));
            assertEquals("OK\t1\tuser=alice@example.org", c.readLine());
            c.send("AUTH\t2\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=" + b64("\0argon\0argonpw"));
            assertEquals("OK\t2\tuser=argon@example.org", c.readLine());
            c.send("AUTH\t3\tLOGIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=" + b64("bob@other.test"));
            assertEquals("CONT\t3\tUGFzc3dvcmQ6", c.readLine());
            c.send("CONT\t3\t" + b64("bob pw ✓"));
            assertEquals("OK\t3\tuser=bob@other.test", c.readLine());
            c.send("AUTH\t4\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=" + b64("\0dis\0dispw"));
            assertEquals("FAIL\t4\treason=authentication failure", c.readLine());
            // CRAM-MD5: works from a plaintext, fails cleanly for the Argon2id-only user
            assertEquals("OK\t5\tuser=alice@example.org", cram(c, 5, "alice", "alicepw"));
            assertEquals("FAIL\t6\treason=authentication failure", cram(c, 6, "argon", "argonpw"));
            assertEquals("FAIL\t7\treason=authentication failure", cram(c, 7, "dis", "dispw"));
        }
    }

    @Test
    void saslauthdOverTheBridgeSeesChangesAtOnce() throws Exception {
        // SQLite here: the LMDB backend refuses a second, writable handle in the same process
        // (scripts/interop.sh checks the same with saslpasswd, another process, on LMDB).
        daemon.close();
        createStore(Backend.SQLITE);
        start();
        Path mux = dir.resolve("mux");
        assertEquals("OK", ask(mux, "alice", "alicepw", "smtp", ""));
        assertEquals("OK", ask(mux, "argon", "argonpw", "smtp", "example.org"));
        assertEquals("NO", ask(mux, "argon", "wrong", "smtp", ""));
        assertEquals("NO", ask(mux, "dis", "dispw", "smtp", ""));
        assertEquals("OK", ask(mux, "bob", "bob pw ✓", "smtp", "other.test"));
        try (CredentialStore s = CredentialStore.open(db, StoreOptions.readOnly().withAccess(StoreOptions.Access.READ_WRITE).withBackend(Backend.SQLITE))) {
            s.update(w -> plain(w, UserId.of("alice", "example.org"), "newpw"));
        }
        assertEquals("NO", ask(mux, "alice", "alicepw", "smtp", ""));
        assertEquals("OK", ask(mux, "alice", "newpw", "smtp", ""));
    }

    @Test
    @org.junit.jupiter.api.Tag("attack")
    void aCachedVerificationEndsWithThePasswordChangeNotWithTheTtl() throws Exception {
        daemon.close();
        createStore(Backend.SQLITE);
        start(Duration.ofHours(1));
        Path mux = dir.resolve("mux");
        assertEquals("OK", ask(mux, "alice", "alicepw", "smtp", ""));
        assertEquals("OK", ask(mux, "alice", "alicepw", "smtp", ""), "now from the cache");
        try (CredentialStore s = CredentialStore.open(db, StoreOptions.readOnly().withAccess(StoreOptions.Access.READ_WRITE).withBackend(Backend.SQLITE))) {
            s.update(w -> plain(w, UserId.of("alice", "example.org"), "newpw"));
        }
        assertEquals("NO", ask(mux, "alice", "alicepw", "smtp", ""), "the old password is not served from the cache");
        assertEquals("OK", ask(mux, "alice", "newpw", "smtp", ""));
        assertEquals("OK", ask(mux, "alice", "newpw", "smtp", ""));
        try (CredentialStore s = CredentialStore.open(db, StoreOptions.readOnly().withAccess(StoreOptions.Access.READ_WRITE).withBackend(Backend.SQLITE))) {
            s.update(w -> w.put(UserId.of("alice", "example.org"), SecretProperties.DISABLED,
                    "disabled".getBytes(StandardCharsets.UTF_8)));
        }
        assertEquals("NO", ask(mux, "alice", "newpw", "smtp", ""), "disabled at once, cache or not");
    }

    @Test
    void reloadReopensTheStore() throws Exception {
        assertTrue(daemon.reload());
        assertEquals("OK", ask(dir.resolve("mux"), "alice", "alicepw", "smtp", ""));
        // A store made unsafe in the meantime is not reopened; the open one stays in use.
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(false, daemon.reload());
        assertEquals("OK", ask(dir.resolve("mux"), "alice", "alicepw", "smtp", ""));
    }

    @Test
    void refusesAWorldReadableStore() throws Exception {
        daemon.close();
        daemon = null;
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        assertThrows(UnsafePermissionsException.class, this::start);
        assertTrue(Files.notExists(dir.resolve("auth")));
    }

    private static String cram(DovecotClient c, int id, String user, String pw) throws Exception {
        c.send("AUTH\t" + id + "\tCRAM-MD5\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1");
        String cont = c.readLine();
        assertTrue(cont.startsWith("CONT\t" + id + "\t"), cont);
        String challenge = unb64(cont.substring(cont.lastIndexOf('\t') + 1));
        c.send("CONT\t" + id + "\t" + b64(user + " " + DovecotProtocolTest.hmacMd5(pw, challenge)));
        return c.readLine();
    }
}
