package org.sasldb4j.store.lmdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The reader table of an LMDB file as LMDB itself reports it: {@code mdb_stat -rn} (Debian's
 * lmdb-utils; the test fails if it is missing), not a count kept by the code under test. Shared
 * with the bridge and daemon tests through this module's test-jar.
 */
public final class ReaderTable {
    /** Reader slots one process's store holds at most on a file (the store's ReaderPool.SIZE). */
    public static final int BOUND = 16;

    private ReaderTable() {}

    /** Slots in use by every process. */
    public static int total(Path data) throws IOException, InterruptedException {
        return slotsByPid(data).values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Slots in use per process id. */
    public static Map<Long, Integer> slotsByPid(Path data) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mdb_stat", "-rn", data.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // mdb_stat 0.9.24 exits 1 after printing the reader table; the header tells success.
        if (!p.waitFor(30, TimeUnit.SECONDS) || !out.contains("Reader Table Status")) {
            throw new IllegalStateException("mdb_stat -rn " + data + " failed: " + out);
        }
        Map<Long, Integer> slots = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].matches("\\d+")) {
                slots.merge(Long.parseLong(f[0]), 1, Integer::sum);
            }
        }
        return slots;
    }

    /** Slots this process holds now. */
    public static int ofThisProcess(Path data) throws IOException, InterruptedException {
        return slotsByPid(data).getOrDefault(ProcessHandle.current().pid(), 0);
    }
}
