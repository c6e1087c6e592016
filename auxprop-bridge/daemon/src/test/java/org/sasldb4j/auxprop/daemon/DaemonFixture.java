package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
        return start(settings, backend, budgetKib, cacheTtl, ThrottleSettings.OFF);
    }

    static DaemonFixture start(DaemonSettings settings, FakeBackend backend, int budgetKib, Duration cacheTtl,
            ThrottleSettings throttle) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "authd",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        DaemonConfig cfg = new DaemonConfig(dir.resolve("auth"), dir.resolve("mux"), null, 64, settings,
                budgetKib, 1024, Duration.ofMillis(300), cacheTtl).withThrottle(throttle);
        AuthDaemon d = AuthDaemon.start(cfg, () -> backend);
        return new DaemonFixture(dir, backend, d);
    }

    Path dovecot() {
        return dir.resolve("auth");
    }

    Path saslauthd() {
        return dir.resolve("mux");
    }

    /**
     * The daemon's timer tasks due in more than {@code atLeast}. With a failure delay far longer
     * than every other timeout (an hour, say), these are exactly the replies held back by it.
     */
    List<RunnableScheduledFuture<?>> timerTasksDueAfter(Duration atLeast) {
        return timer().getQueue().stream()
                .<RunnableScheduledFuture<?>>map(r -> (RunnableScheduledFuture<?>) r)
                .filter(t -> t.getDelay(TimeUnit.NANOSECONDS) > atLeast.toNanos())
                .toList();
    }

    /**
     * Waits until the timer holds a task due in more than {@code atLeast} and returns it. Polls
     * for that condition; the 60 s bound only stops a hung test, it measures nothing.
     */
    RunnableScheduledFuture<?> awaitTimerTaskDueAfter(Duration atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            List<RunnableScheduledFuture<?>> due = timerTasksDueAfter(atLeast);
            if (due.size() == 1) {
                return due.get(0);
            }
            if (due.size() > 1 || System.nanoTime() - deadline > 0) {
                throw new AssertionError("expected one timer task due after " + atLeast + ", found " + due.size());
            }
            Thread.sleep(5); // polling the timer queue; no order depends on this wait's length
        }
    }

    /** Runs a timer task now, as if its delay had passed, and takes it off the timer. */
    void runNow(RunnableScheduledFuture<?> task) {
        timer().remove(task);
        task.run();
    }

    private ScheduledThreadPoolExecutor timer() {
        return (ScheduledThreadPoolExecutor) daemon.context().timer();
    }

    @Override
    public void close() throws IOException {
        daemon.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
