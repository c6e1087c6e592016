package org.sasldb4j.auxprop.daemon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sasldb4j.store.OtherUser.NOBODY;
import static org.sasldb4j.store.OtherUser.asNobody;
import static org.sasldb4j.store.OtherUser.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's own files under attack and after faults: a pid file that is a planted link, a
 * socket directory another user can write (or reach through a planted link), the stale socket of
 * a SIGKILLed daemon, a second daemon started on a live socket. Attacker steps run as
 * {@code nobody}; the daemon runs as root, as in CI.
 */
@Tag("attack")
class DaemonFilesTest {
    @TempDir
    Path dir;
    Path victim;
    byte[] victimBytes;
    Map<String, Object> victimAttrs;
    final List<AuthDaemon> daemons = new ArrayList<>();

    @BeforeEach
    void victimFile() throws IOException {
        assertEquals("root", System.getProperty("user.name"), "these tests replay an attack by another user: run them as root (CI does)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        victim = dir.resolve("passwd");
        Files.writeString(victim, "root:x:0:0:root:/root:/bin/bash\n");
        victimBytes = Files.readAllBytes(victim);
        victimAttrs = Files.readAttributes(victim, "unix:mode,uid,gid,ino,nlink");
    }

    @AfterEach
    void victimUnchanged() throws IOException {
        daemons.forEach(AuthDaemon::close);
        assertArrayEquals(victimBytes, Files.readAllBytes(victim), "the victim's bytes changed");
        assertEquals(victimAttrs, Files.readAttributes(victim, "unix:mode,uid,gid,ino,nlink"));
    }

    AuthDaemon start(Path socketDir) throws IOException {
        DaemonConfig cfg = new DaemonConfig(socketDir.resolve("auth"), null, null, 64,
                DaemonSettings.forTests("example.org"), 0, 1024, Duration.ofMillis(300), Duration.ZERO);
        AuthDaemon d = AuthDaemon.start(cfg, DaemonFixture::users);
        daemons.add(d);
        return d;
    }

    static void answers(Path socket) throws Exception {
        try (DovecotClient c = new DovecotClient(socket)) {
            assertEquals("VERSION\t1\t2", c.handshake().get(0));
        }
    }

    Path directory(String name, String mode) throws IOException {
        Path d = Files.createDirectory(dir.resolve(name));
        run(List.of("chmod", mode, d.toString()));
        return d;
    }

    static void oneLine(Exception e) {
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void pidFilePlantedAsALinkIsNotWrittenThrough() throws IOException {
        Path run = directory("run", "0755");
        Path pid = Files.createSymbolicLink(run.resolve("authd.pid"), victim);
        IOException e = assertThrows(IOException.class, () -> PidFile.write(pid));
        oneLine(e);
        assertTrue(e.getMessage().contains("is a symbolic link"), e.getMessage());
        assertTrue(Files.isSymbolicLink(pid), "the link is left for the administrator to see");
    }

    @Test
    void pidFileInADirectoryOthersCanWriteIsRefused() throws IOException {
        Path run = directory("run", "0777");
        IOException e = assertThrows(IOException.class, () -> PidFile.write(run.resolve("authd.pid")));
        oneLine(e);
        assertTrue(e.getMessage().contains("has mode 0777"), e.getMessage());
        asNobody("ln", "-s", victim.toString(), run.resolve("authd.pid").toString());
        assertThrows(IOException.class, () -> PidFile.write(run.resolve("authd.pid")));
    }

    @Test
    void stalePidFileIsReplacedAndRemovedOnlyIfStillOurs() throws IOException {
        Path run = directory("run", "0755");
        Path pid = run.resolve("authd.pid");
        Files.writeString(pid, "999999\n");
        try (PidFile p = PidFile.write(pid)) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(pid));
            assertEquals(0644, (Integer) Files.getAttribute(pid, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0777);
        }
        assertFalse(Files.exists(pid, LinkOption.NOFOLLOW_LINKS));
        try (PidFile p = PidFile.write(pid)) {
            Files.delete(pid);
            Files.writeString(pid, "12345\n"); // a later daemon's
        }
        assertEquals("12345\n", Files.readString(pid));
        try (var s = Files.list(run)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }

    @Test
    void socketDirectoryOthersCanWriteIsRefused() throws IOException {
        for (String mode : List.of("0777", "1777", "0770")) {
            Path d = directory("sock" + mode, mode);
            IOException e = assertThrows(IOException.class, () -> start(d));
            oneLine(e);
            assertTrue(e.getMessage().contains("has mode " + String.format("0%03o", Integer.parseInt(mode, 8))),
                    e.getMessage());
        }
    }

    @Test
    void socketBelowADirectoryOthersCanWriteIsRefused() throws IOException {
        Path spool = directory("spool", "0777");
        Path d = Files.createDirectory(spool.resolve("private"));
        IOException e = assertThrows(IOException.class, () -> start(d));
        oneLine(e);
        assertTrue(e.getMessage().contains("directory " + spool.toRealPath() + " has mode 0777"), e.getMessage());
    }

    @Test
    void socketPathThroughAPlantedLinkIsRefused() throws IOException {
        Path tmp = directory("tmp", "1777");
        Path elsewhere = directory("elsewhere", "0755");
        asNobody("ln", "-s", elsewhere.toString(), tmp.resolve("private").toString());
        IOException e = assertThrows(IOException.class, () -> start(tmp.resolve("private")));
        oneLine(e);
        assertTrue(e.getMessage().contains("symbolic link of user " + NOBODY), e.getMessage());
        try (var s = Files.list(elsewhere)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void socketDirectoryOfPostfixsKindIsAccepted() throws Exception {
        // Postfix's private/: 0700, owned by the postfix user (here nobody), below root's 0755.
        Path d = directory("private", "0700");
        run(List.of("chown", NOBODY + "", d.toString()));
        start(d);
        answers(d.resolve("auth"));
    }

    @Test
    void staleSocketOfAKilledDaemonIsReplaced() throws Exception {
        Path d = directory("run", "0750");
        Path socket = d.resolve("auth");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SocketHolderMain.class.getName(), socket.toString()).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(holder.getInputStream(), UTF_8))) {
            assertEquals("ready", r.readLine());
            // While it lives, a daemon must not take its socket.
            IOException e = assertThrows(IOException.class, () -> start(d));
            assertTrue(e.getMessage().contains("another server is listening on"), e.getMessage());
            holder.destroyForcibly(); // SIGKILL: the socket file stays behind
            holder.waitFor();
        }
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "the killed process left its socket");
        start(d);
        answers(socket);
    }

    @Test
    void secondDaemonOnTheSameSocketRefusesWithoutStealingIt() throws Exception {
        Path d = directory("run", "0750");
        start(d);
        IOException e = assertThrows(IOException.class, () -> start(d));
        oneLine(e);
        assertEquals("another server is listening on " + d.toRealPath().resolve("auth"), e.getMessage());
        answers(d.resolve("auth"));
        answers(d.resolve("auth"));
    }

    @Test
    void socketPathTakenByAFileIsNotReplaced() throws IOException {
        Path d = directory("run", "0750");
        Files.createSymbolicLink(d.resolve("auth"), victim);
        IOException e = assertThrows(IOException.class, () -> start(d));
        assertTrue(e.getMessage().contains("is not a socket"), e.getMessage());
        assertTrue(Files.isSymbolicLink(d.resolve("auth")));
    }
}
