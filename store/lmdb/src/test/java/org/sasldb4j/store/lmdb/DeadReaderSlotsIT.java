package org.sasldb4j.store.lmdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;

/**
 * A reader process killed with SIGKILL leaves its slots in the reader table; a table full of
 * them refuses every reader (LMDB does not clean them by itself while another process has the
 * file open). sasldb4j reclaims them when it finds the table full, and when it opens a file.
 */
class DeadReaderSlotsIT {
    @TempDir
    Path dir;

    @Test
    void slotsOfAKilledProcessAreReclaimedWhenTheTableIsFullAndAtOpen() throws Exception {
        Path p = dir.resolve("sasldb");
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.create())) {
            s.update(w -> w.put(UserId.of("alice", "example.org"), "userPassword", new byte[] {'x'}));
        }
        // This process keeps the file open throughout, so nobody re-initialises the lock file.
        try (CredentialStore mine = CredentialStore.open(p, StoreOptions.readOnly())) {
            long dead = fillAndKill(p);
            assertEquals(126 - ReaderTable.ofThisProcess(p), ReaderTable.slotsByPid(p).get(dead),
                    "the killed process's slots are still in the table");

            // Full table: the read reclaims the dead slots and proceeds.
            assertTrue(mine.get(UserId.of("alice", "example.org"), "userPassword").isPresent());
            assertFalse(ReaderTable.slotsByPid(p).containsKey(dead), "dead slots reclaimed");

            // Full again, then another process opens the file: reclaimed at its open (its first
            // transaction, the one that opens the database, would fail otherwise).
            long dead2 = fillAndKill(p);
            assertTrue(ReaderTable.slotsByPid(p).containsKey(dead2));
            Process reader = start(StoreReaderMain.class, p);
            try (BufferedReader answers = new BufferedReader(new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8));
                    PrintStream ask = new PrintStream(reader.getOutputStream(), true, StandardCharsets.UTF_8)) {
                assertEquals("open", answers.readLine(), () -> stderr(reader));
                ask.println("count");
                assertEquals("1", answers.readLine());
            } finally {
                reader.getOutputStream().close();
                reader.waitFor(30, TimeUnit.SECONDS);
            }
            assertFalse(ReaderTable.slotsByPid(p).containsKey(dead2), "dead slots reclaimed");
        }
    }

    /** Starts a {@link ReaderSlotHog}, waits until it holds every free slot, SIGKILLs it. */
    private static long fillAndKill(Path p) throws Exception {
        Process hog = start(ReaderSlotHog.class, p);
        try {
            String line = new BufferedReader(new InputStreamReader(hog.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(line != null && line.startsWith("full "), () -> "hog: " + line + " " + stderr(hog));
        } finally {
            hog.destroyForcibly(); // SIGKILL: no cleanup of its own
            assertTrue(hog.waitFor(30, TimeUnit.SECONDS));
        }
        return hog.pid();
    }

    private static Process start(Class<?> main, Path store) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), main.getName(), store.toString());
        return new ProcessBuilder(cmd).start();
    }

    private static String stderr(Process p) {
        try {
            return new String(p.getErrorStream().readNBytes(4000), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
