package org.sasldb4j.auxprop.daemon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;

/**
 * The real daemon process as systemd runs it ({@code Type=notify}, {@code KillSignal=SIGTERM}):
 * with {@code $NOTIFY_SOCKET} pointing at a datagram socket (a small Python receiver standing in
 * for systemd), {@code READY=1} arrives exactly once and only when both socket files exist;
 * SIGTERM, with a client connected, ends it with status 0 and removes both sockets. How long
 * SIGTERM takes is printed, not asserted (docs/benchmarks.md); the wait is only a hang guard.
 * Needs python3 and systemd-notify (scripts/install-test-deps.sh): fails without them.
 */
class SystemdLifecycleIT {
    /** Receives datagrams; for each prints whether the daemon's socket files existed then. */
    private static final String RECEIVER = String.join("\n",
            "import os, socket, sys",
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
            "s.bind(sys.argv[1])",
            "print('bound', flush=True)",
            "while True:",
            "    msg = s.recv(4096).decode()",
            "    present = all(os.path.exists(p) for p in sys.argv[2:])",
            "    print(msg.replace('\\n', ' ') + ' | sockets=' + ('present' if present else 'missing'), flush=True)",
            "");

    @TempDir
    Path dir;

    @Test
    void readyOnlyWhenListeningAndSigtermRemovesSockets() throws Exception {
        Path store = dir.resolve("sasldb2");
        try (CredentialStore s = CredentialStore.open(store, StoreOptions.create())) {
            s.update(w -> w.put(UserId.of("alice", "example.org"), "userPassword", "secret".getBytes(UTF_8)));
        }
        Path run = Files.createDirectory(dir.resolve("run"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path auth = run.resolve("auth");
        Path mux = run.resolve("mux");
        Path notify = dir.resolve("notify");
        Path script = Files.writeString(dir.resolve("receiver.py"), RECEIVER);

        Process receiver = new ProcessBuilder("python3", "-u", script.toString(), notify.toString(),
                auth.toString(), mux.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BlockingQueue<String> messages = lines(receiver);
        Process daemon = null;
        try {
            assertEquals("bound", messages.poll(60, TimeUnit.SECONDS), "the Python receiver did not start");
            daemon = startDaemon(store, auth, mux, notify);
            String ready = messages.poll(120, TimeUnit.SECONDS);
            assertNotNull(ready, "no message on $NOTIFY_SOCKET; daemon log:\n" + log());
            assertTrue(ready.contains("READY=1"), ready);
            assertTrue(ready.endsWith("sockets=present"), "READY=1 before the sockets existed: " + ready);
            assertTrue(ready.contains("MAINPID=" + daemon.pid()), "the JVM is the main process: " + ready);

            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                client.connect(UnixDomainSocketAddress.of(auth)); // a connected smtpd at stop time
                long t0 = System.nanoTime();
                daemon.destroy(); // SIGTERM
                assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "still running 60 s after SIGTERM");
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.println("SystemdLifecycleIT: SIGTERM to exit " + ms + " ms");
            }
            assertEquals(0, daemon.exitValue(), log());
            assertFalse(Files.exists(auth, LinkOption.NOFOLLOW_LINKS), "dovecot socket left behind");
            assertFalse(Files.exists(mux, LinkOption.NOFOLLOW_LINKS), "saslauthd socket left behind");
            assertTrue(log().contains("SIGTERM: stopping"), log());
            // systemd-notify follows READY=1 with BARRIER=1 and waits until the receiver has
            // read both, so it never exits before systemd knows which unit sent READY=1.
            List<String> rest = new ArrayList<>();
            messages.drainTo(rest);
            assertTrue(rest.stream().noneMatch(m -> m.contains("READY=1")), "READY=1 sent twice: " + rest);
        } finally {
            if (daemon != null) {
                daemon.destroyForcibly();
            }
            receiver.destroyForcibly();
        }
    }

    private Process startDaemon(Path store, Path auth, Path mux, Path notify) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                AuthdCommand.class.getName(), "-f", store.toString(), "--realm", "example.org",
                "--dovecot-socket", auth.toString(), "--saslauthd-socket", mux.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile());
        pb.environment().put("NOTIFY_SOCKET", notify.toString());
        return pb.start();
    }

    private String log() throws java.io.IOException {
        Path p = dir.resolve("log");
        return Files.exists(p) ? Files.readString(p) : "";
    }

    private static BlockingQueue<String> lines(Process p) {
        BlockingQueue<String> q = new ArrayBlockingQueue<>(64);
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    q.offer(line);
                }
            } catch (java.io.IOException e) {
                // the receiver was stopped
            }
        }, "notify-receiver");
        t.setDaemon(true);
        t.start();
        return q;
    }
}
