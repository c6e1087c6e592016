package org.sasldb4j.auxprop.daemon;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/** The steps both listeners (Dovecot's {@link UnixListener}, {@link SaslauthdServer}) take to stop. */
final class ListenerShutdown {
    /**
     * How long a stopping listener lets running checks finish before interrupting them. Short:
     * Postfix keeps an idle connection per smtpd, whose handler never finishes by itself, so
     * every stop with Postfix running waits this long (twice, one per listener); SIGTERM must
     * end the daemon within a second (docs/benchmarks.md). A check cut off is a lost connection,
     * which Postfix answers with a temporary failure (454).
     */
    static final long GRACE_MILLIS = 300;

    private ListenerShutdown() {}

    /** Closes {@code c}; a failure to close changes nothing for a connection being dropped. */
    static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // Nothing more to do.
        }
    }

    /** Removes the socket file, so clients get "no such file" instead of "connection refused". */
    static void removeSocket(Path path, Logger log) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warning(() -> "cannot remove " + path + ": " + e.getMessage());
        }
    }

    /**
     * Lets the workers finish for up to {@code graceMillis}, then interrupts them (a worker
     * blocked on an idle client is freed by the interrupt, which closes its channel).
     */
    static void stopWorkers(ExecutorService workers, long graceMillis) {
        workers.shutdown();
        try {
            if (!workers.awaitTermination(graceMillis, TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
