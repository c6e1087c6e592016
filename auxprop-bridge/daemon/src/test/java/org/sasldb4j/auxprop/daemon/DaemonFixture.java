package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/** A daemon on two sockets in a private temporary directory, over a {@link FakeBackend}. */
final class DaemonFixture implements AutoCloseable {
    final Path dir;
    final FakeBackend backend;
    final AuthDaemon daemon;

    private DaemonFixture(Path dir, FakeBackend backend, AuthDaemon daemon) {
        this.dir = dir;
        this.backend = backend;
        this.daemon = daemon;
    }

    static FakeBackend users() {
        return new FakeBackend("example.org")
                .user("alice", "alicepw")
                .user("bob@other.test", "bob pw ✓")
                .hashedUser("argon", "argonpw");
    }

    static DaemonFixture start() throws IOException {
        return start(DaemonSettings.forTests("example.org"), users(), 0, Duration.ZERO);
    }

    static DaemonFixture start(DaemonSettings settings, FakeBackend backend, int budgetKib, Duration cacheTtl)
            throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "authd",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        DaemonConfig cfg = new DaemonConfig(dir.resolve("auth"), dir.resolve("mux"), null, 64, settings,
                budgetKib, 1024, Duration.ofMillis(300), cacheTtl);
        AuthDaemon d = AuthDaemon.start(cfg, () -> backend);
        return new DaemonFixture(dir, backend, d);
    }

    Path dovecot() {
        return dir.resolve("auth");
    }

    Path saslauthd() {
        return dir.resolve("mux");
    }

    @Override
    public void close() throws IOException {
        daemon.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
