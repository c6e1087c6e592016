package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sasldb4j.auxprop.daemon.DovecotClient.b64;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.lmdb.ReaderTable;
import org.sasldb4j.store.secret.SecretSet;

/**
 * The attack (or just a busy day): waves of concurrent Dovecot-protocol connections, each
 * wave's handler threads left to exit before the next (the pool's idle timeout shortened by
 * its setting), so every wave reads the store on new threads. Before the reader pool, each dead
 * thread kept an LMDB reader slot and the fourth wave of 45 found the 126-slot table full. Now
 * every login of every wave succeeds and the process holds at most the bound of slots.
 */
@Tag("attack")
class ReaderSlotExhaustionIT {
    @TempDir
    Path dir;

    private static final int WAVES = 8;
    private static final int PER_WAVE = 45;
    private static final int CORE_THREADS = 4; // UnixListener's pool keeps these

    @Test
    void wavesOfConnectionsOnNewThreadsAllLogInWithBoundedReaderSlots() throws Exception {
        Path store = dir.resolve("sasldb2");
        try (CredentialStore s = CredentialStore.open(store, StoreOptions.create())) {
            s.update(w -> w.put(UserId.of("alice", "example.org"), "userPassword", "alicepw".getBytes(StandardCharsets.UTF_8)));
        }
        Path sockets = Files.createDirectory(dir.resolve("run"));
        DaemonConfig config = new DaemonConfig(sockets.resolve("auth"), null, null, 64,
                DaemonSettings.forTests("example.org"), 0, 1024, Duration.ofSeconds(5), Duration.ZERO, Duration.ofMillis(100));
        BridgeConfig bridge = BridgeConfig.of("example.org").withPolicy(SecretSet.PLAINTEXT);
        ExecutorService clients = Executors.newFixedThreadPool(PER_WAVE);
        try (AuthDaemon daemon = AuthDaemon.start(config, () -> BridgeBackend.open(store, bridge, "example.org"))) {
            for (int wave = 1; wave <= WAVES; wave++) {
                CyclicBarrier together = new CyclicBarrier(PER_WAVE);
                List<Future<String>> answers = new ArrayList<>();
                for (int c = 0; c < PER_WAVE; c++) {
                    answers.add(clients.submit(() -> {
                        try (DovecotClient client = DovecotClient.postfix(config.dovecotSocket())) {
                            together.await(1, TimeUnit.MINUTES); // all connections open, one handler thread each
                            client.send("AUTH\t1\tPLAIN\tservice=smtp\tnologin\trip=127.0.0.1\tresp=" + b64("\0alice\0alicepw"));
                            return client.readLine(30_000);
                        }
                    }));
                }
                for (Future<String> a : answers) {
                    String line = a.get(2, TimeUnit.MINUTES);
                    assertTrue(line != null && line.startsWith("OK\t1\t"), "wave " + wave + ": " + line);
                }
                int mine = ReaderTable.ofThisProcess(store);
                assertTrue(mine <= ReaderTable.BOUND, "wave " + wave + ": this process holds " + mine + " reader slots");
                awaitIdleHandlersGone();
            }
            assertTrue(ReaderTable.total(store) <= ReaderTable.BOUND, "reader slots in the table: " + ReaderTable.total(store));
        } finally {
            clients.shutdownNow();
        }
    }

    /** Waits until the pool's idle handler threads have exited (its core threads stay). */
    private static void awaitIdleHandlersGone() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (handlerThreads() > CORE_THREADS) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(handlerThreads() + " handler threads still alive");
            }
            Thread.sleep(20); // polling the thread list; no order depends on this wait's length
        }
    }

    private static long handlerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("authd-dovecot-") && !t.getName().endsWith("-accept"))
                .filter(Thread::isAlive)
                .count();
    }
}
