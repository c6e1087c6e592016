package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sasldb4j.auxprop.daemon.DovecotClient.b64;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.LogLines;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.SecretSet;

/**
 * The running daemon's store replaced by a rename, deleted, and replaced by a file that is not a
 * store: logins follow the file at the path within the bridge's check interval (new password
 * works, old one fails), answer temporary failure while there is no usable store, and the
 * daemon's log says what happened, once per change.
 */
class StoreReplacedWhileRunningIT {
    @TempDir
    Path dir;

    private final List<String> logged = new ArrayList<>();

    private Path build(String name, String password) {
        Path p = dir.resolve(name);
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.create())) {
            s.update(w -> w.put(UserId.of("alice", "example.org"), "userPassword", password.getBytes(StandardCharsets.UTF_8)));
        }
        return p;
    }

    @Test
    void followsRenameDeleteAndForeignFile() throws Exception {
        Path store = dir.resolve("sasldb2");
        Files.move(build("v1", "first"), store);
        Path sockets = Files.createDirectory(dir.resolve("run"));
        DaemonConfig config = new DaemonConfig(sockets.resolve("auth"), null, null, 16,
                DaemonSettings.forTests("example.org"), 0, 1024, Duration.ofSeconds(5), Duration.ZERO);
        BridgeConfig bridge = BridgeConfig.of("example.org").withPolicy(SecretSet.PLAINTEXT);
        // Only the store-switch lines of the daemon's logger.
        Handler capture = new LogLines(logged, m -> m.startsWith("store "));
        AuthLog.LOGGER.addHandler(capture);
        try (AuthDaemon daemon = AuthDaemon.start(config, () -> BridgeBackend.open(store, bridge, "example.org"));
                Login login = new Login(config.dovecotSocket())) {
            assertEquals("OK", login.as("first"));

            Files.move(build("v2", "second"), store, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            login.until("second", "OK");
            assertEquals("FAIL", login.as("first"), "the old file's password");

            Files.delete(store);
            login.until("second", "TEMP");
            assertEquals("TEMP", login.as("second"));

            Files.move(build("v3", "third"), store, StandardCopyOption.ATOMIC_MOVE);
            login.until("third", "OK");

            Path text = dir.resolve("text");
            Files.writeString(text, "alice third\n");
            Files.move(text, store, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            login.until("third", "TEMP");
        } finally {
            AuthLog.LOGGER.removeHandler(capture);
        }
        synchronized (logged) {
            assertEquals(4, logged.size(), "one line per change: " + logged);
            assertTrue(logged.get(0).startsWith("INFO store " + store + " was replaced"), logged::toString);
            assertTrue(logged.get(1).startsWith("WARNING store " + store + " is missing"), logged::toString);
            assertTrue(logged.get(2).startsWith("INFO store " + store + " can be opened again"), logged::toString);
            assertTrue(logged.get(3).startsWith("WARNING store " + store + " changed and cannot be opened"), logged::toString);
        }
    }

    /**
     * AUTH PLAIN for alice; answers OK, FAIL or TEMP. A temporary failure closes the connection
     * (what makes Postfix answer 454); like Postfix, the next login reconnects.
     */
    private static final class Login implements AutoCloseable {
        private final Path socket;
        private DovecotClient client;
        private int id;

        Login(Path socket) throws Exception {
            this.socket = socket;
            this.client = DovecotClient.postfix(socket);
        }

        String as(String password) throws Exception {
            if (client == null) {
                client = DovecotClient.postfix(socket);
            }
            int n = ++id;
            client.send("AUTH\t" + n + "\tPLAIN\tservice=smtp\tnologin\trip=127.0.0.1\tresp=" + b64("\0alice\0" + password));
            String line = client.readLine(30_000);
            if (line == null) {
                client.close();
                client = null;
                return "TEMP";
            }
            if (line.startsWith("OK\t" + n + "\t")) {
                return "OK";
            }
            if (line.startsWith("FAIL\t" + n + "\t")) {
                return "FAIL";
            }
            throw new AssertionError("unexpected answer: " + line);
        }

        /** Logs in until the answer is {@code expected} (the bridge checks the path every second). */
        void until(String password, String expected) throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String got;
            while (!(got = as(password)).equals(expected)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("still " + got + ", expected " + expected);
                }
                Thread.sleep(50); // polling the daemon; the order of events does not depend on it
            }
        }

        @Override
        public void close() throws Exception {
            if (client != null) {
                client.close();
            }
        }
    }
}
