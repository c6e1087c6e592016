package org.sasldb4j.store.lmdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.ChildJvm;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;

/**
 * The map grows as the store does: a store passes 1 MiB (Cyrus's default map) and then 1 GiB
 * of records without any setting, while a reader in another process, opened when the store was
 * empty, keeps reading it (LMDB reports the resize; the reader adopts the new size).
 */
class LmdbGrowthIT {
    @TempDir
    Path dir;

    private static final int VALUE = 8000; // near Cyrus's 8191-byte value limit
    private static final int PER_TRANSACTION = 16_000; // about 128 MB a transaction

    @Test
    void growsPastOneGibibyteWhileAnotherProcessReads() throws Exception {
        Path p = dir.resolve("big");
        try (CredentialStore s = CredentialStore.open(p, StoreOptions.create())) {
            s.update(w -> w.put(UserId.of("first", "example.org"), "userPassword", new byte[] {'x'}));
        }
        Process reader = startReader(p);
        try (BufferedReader answers = new BufferedReader(
                        new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8));
                PrintStream ask = new PrintStream(reader.getOutputStream(), true, StandardCharsets.UTF_8)) {
            assertEquals("open", answers.readLine());
            byte[] value = new byte[VALUE];
            long total = 1;
            try (CredentialStore writer = CredentialStore.open(p, StoreOptions.create())) {
                for (int batch = 0; Files.size(p) < (1L << 30) + (64L << 20); batch++) {
                    int b = batch;
                    writer.update(w -> {
                        for (int i = 0; i < PER_TRANSACTION; i++) {
                            Arrays.fill(value, 0, 8, (byte) i);
                            w.put(UserId.of("u" + b + "_" + i, "example.org"), "blob", value);
                        }
                    });
                    total += PER_TRANSACTION;
                    ask.println("count");
                    assertEquals(Long.toString(total), answers.readLine(), "reader after batch " + b);
                }
                assertTrue(Files.size(p) > 1L << 30, "file size " + Files.size(p));
                Arrays.fill(value, 0, 8, (byte) 5);
                assertArrayEquals(value, writer.get(UserId.of("u3_5", "example.org"), "blob").orElseThrow());
            }
        } finally {
            reader.getOutputStream().close();
            if (!reader.waitFor(30, TimeUnit.SECONDS)) {
                reader.destroyForcibly();
            }
        }
        assertEquals(0, reader.exitValue(), new String(reader.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static Process startReader(Path store) throws IOException {
        List<String> cmd = ChildJvm.command();
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(StoreReaderMain.class.getName());
        cmd.add(store.toString());
        return new ProcessBuilder(cmd).start();
    }
}
