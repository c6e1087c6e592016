package org.sasldb4j.saslpasswd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;

/**
 * A 2,000,000-line batch runs in a JVM with a 64 MiB heap (issue 9 §6): batches stream in
 * windows instead of holding every parsed line (which took 1.1 GB). The batch is applied whole:
 * its last lines, and a user deleted and re-added across windows, are checked in the store.
 */
class BatchMemoryIT {
    static final int LINES = 2_000_000;

    @TempDir
    Path dir;

    @Test
    void twoMillionLinesInA64MiBHeap() throws Exception {
        Path batch = dir.resolve("batch.txt");
        try (BufferedWriter w = Files.newBufferedWriter(batch, UTF_8)) {
            w.write("add early@example.org first-password\n");
            for (int i = 0; i < LINES - 3; i++) {
                w.write("add user");
                w.write(Integer.toString(i));
                w.write("@example.org password-");
                w.write(Integer.toString(i));
                w.write('\n');
            }
            // In a later window than the first line: applied after it, in file order.
            w.write("del early@example.org\n");
            w.write("add early@example.org second-password\n");
        }
        Path store = dir.resolve("sasldb2");
        Path log = dir.resolve("stderr.txt");
        Process p = TestJvm.builder(false, List.of("-Xmx64m", "-XX:+UseSerialGC"), SaslpasswdCommand.class,
                        "--batch", batch.toString(), "-f", store.toString())
                .redirectError(log.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "the batch did not finish in 10 minutes");
        String err = Files.readString(log, UTF_8);
        assertEquals(0, p.exitValue(), err);
        assertTrue(err.isEmpty(), err);
        try (CredentialStore s = CredentialStore.open(store, StoreOptions.readOnly())) {
            assertEquals("second-password", value(s, UserId.parse("early@example.org", "")));
            int last = LINES - 4;
            assertEquals("password-" + last, value(s, UserId.parse("user" + last + "@example.org", "")));
            long[] n = {0};
            s.forEach(e -> {
                n[0]++;
                e.wipe();
            });
            assertEquals(LINES - 2, n[0], "one userPassword per user");
        }
    }

    private static String value(CredentialStore s, UserId u) {
        return s.get(u, "userPassword").map(v -> new String(v, UTF_8)).orElse(null);
    }
}
