package org.sasldb4j.saslpasswd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;

/**
 * SIGKILL of {@code saslpasswd --batch} at random moments leaves a store that opens and holds only
 * whole users, and running the batch again completes it.
 *
 * <p>The batch (docs: {@code add USER PASSWORD}, {@code del USER}) creates {@value #NEW_USERS} new
 * users and, interleaved, changes the password of {@value #UPDATED} existing users and deletes
 * {@value #DELETED} others. Existing users start with four records (plaintext password, two legacy
 * Cyrus secrets that a password change deletes, and an application property a change keeps), so
 * "whole" is checked across several records of one user:
 * <ul>
 *   <li>a new user is absent, or has exactly the records a complete run gives it, with its password;
 *   <li>a changed user has either all four old records, or the new password and the kept property;
 *   <li>a deleted user has all four old records or none; untouched users keep all four.
 * </ul>
 * The process is the real command ({@link SaslpasswdCommand#main}) in its own JVM, killed with
 * {@link Process#destroyForcibly()} (SIGKILL on Linux) after a seeded random delay spread over the
 * length of a complete run. At least {@value #KILLS} kills of a running process are required; each
 * starts from a fresh copy of the seeded store.
 *
 * <p>The batch is applied in transactions of {@code sasldb4j.batch.chunk} lines (default 100,000,
 * so this batch is one transaction). Every other run sets it to {@value #SMALL_CHUNK} so that kills
 * also land between committed transactions and leave a partly applied batch, which must still
 * hold only whole users; the other runs use the default.
 */
class BatchCrashIT {
    static final int KILLS = 20;
    static final int SMALL_CHUNK = 4_000;
    static final int NEW_USERS = 60_000;
    static final int UPDATED = 1_000;
    static final int DELETED = 1_000;
    static final int KEPT = 200;
    static final long SEED = 0x5A5D_B4_1L;
    static final String REALM = "example.org";
    static final String PW = "userPassword";
    static final String PLAIN = "cmusaslsecretPLAIN";
    static final String DIGEST = "cmusaslsecretDIGEST-MD5";
    static final String APP = "x-app-quota";

    @TempDir
    Path dir;

    @Test
    void sigkillLeavesOnlyWholeUsersAndRerunCompletes() throws Exception {
        Path seeded = dir.resolve("seeded");
        seed(seeded);
        Path batch = dir.resolve("batch.txt");
        Files.write(batch, batchText());

        // A complete run: what every user looks like afterwards, and how long a run takes.
        Path reference = dir.resolve("reference");
        copyStore(seeded, reference);
        long[] timing = timedRun(batch, reference, smallChunks());
        double firstCommitShare = (double) timing[0] / timing[1];
        // Run times vary a lot on a shared machine: aim the kills by the median of all complete runs
        List<Long> runTimes = new ArrayList<>(List.of(timing[1]));
        Map<String, Map<String, byte[]>> expected = readAll(reference);
        checkComplete(expected, expected, "reference run");

        Random random = new Random(SEED);
        int kills = 0;
        int finishedFirst = 0;
        int untouched = 0;
        int partial = 0;
        int complete = 0;
        List<String> log = new ArrayList<>();
        for (int attempt = 0; kills < KILLS; attempt++) {
            long fullRunMillis = median(runTimes);
            long firstCommitMillis = (long) (firstCommitShare * fullRunMillis);
            assertTrue(attempt < 3 * KILLS, "too many runs finished before the kill: " + log);
            Path store = dir.resolve("store-" + attempt);
            copyStore(seeded, store);
            boolean small = attempt % 2 == 0;
            long delay;
            if (small) {
                // Mostly while transactions commit (from a bit before the first commit to the end of
                // a complete run), some earlier (start-up, parsing, the first transaction).
                long writeFrom = Math.max(0, firstCommitMillis - (fullRunMillis - firstCommitMillis) / 3);
                delay = random.nextInt(4) == 0
                        ? (long) (random.nextDouble() * writeFrom)
                        : writeFrom + (long) (random.nextDouble() * 1.05 * (fullRunMillis - writeFrom));
            } else {
                // one transaction: anywhere from start-up to the end
                delay = (long) (fullRunMillis * (0.1 + 0.95 * random.nextDouble()));
            }
            Path err = dir.resolve("kill-" + attempt + ".err");
            Process p = TestJvm.builder(false, small ? smallChunks() : List.of(), SaslpasswdCommand.class,
                            "--batch", batch.toString(), "-f", store.toString())
                    .redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            boolean ended = p.waitFor(delay, TimeUnit.MILLISECONDS);
            if (ended) {
                finishedFirst++;
                assertEquals(0, p.exitValue(), () -> "batch failed before the kill: " + read(err));
            } else {
                p.destroyForcibly();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "killed process did not end");
                kills++;
            }

            // The store opens and holds only whole users.
            Map<String, Map<String, byte[]>> after = readAll(store);
            int state = checkWhole(after, expected, "after kill " + attempt + " at " + delay + " ms");
            switch (state) {
                case 0 -> untouched++;
                case 1 -> partial++;
                default -> complete++;
            }
            log.add((small ? "chunk" + SMALL_CHUNK + ":" : "default:") + delay + "ms:" + (ended ? "finished" : "killed") + ":" + new String[] {"none", "partial", "all"}[state]);

            // Running the same batch again completes it.
            runTimes.add(runToEnd(batch, store, "rerun after kill " + attempt));
            checkComplete(readAll(store), expected, "rerun after kill " + attempt);
            deleteStore(store);
        }
        System.out.printf("BatchCrashIT: full run %d ms (median), first commit at %.0f%% of it; %d kills (%d runs finished first); store after kill:"
                + " unchanged %d, partly applied %d, fully applied %d%n  %s%n",
                median(runTimes), 100 * firstCommitShare, kills, finishedFirst, untouched, partial, complete, log);
        assertTrue(kills >= KILLS);
    }

    // ---------------------------------------------------------------------------------------------

    static String newUser(int i) {
        return String.format("new-%06d", i);
    }

    static String seedUser(String kind, int i) {
        return String.format("%s-%04d", kind, i);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] newPassword(int i) {
        // spaces and non-ASCII bytes: the rest of the line is the password
        return utf8(String.format("pw %06d ß€ %08x", i, i * 2654435761L & 0xffffffffL));
    }

    static byte[] oldPassword(String user) {
        return utf8("old:" + user);
    }

    static byte[] changedPassword(String user) {
        return utf8("changed:" + user);
    }

    /** The seeded store: updated, deleted and kept users with four records each. */
    private void seed(Path store) {
        try (CredentialStore s = CredentialStore.open(store, StoreOptions.create())) {
            s.update(w -> {
                for (String kind : List.of("upd", "del", "keep")) {
                    int n = kind.equals("upd") ? UPDATED : kind.equals("del") ? DELETED : KEPT;
                    for (int i = 0; i < n; i++) {
                        String name = seedUser(kind, i);
                        UserId u = UserId.of(name, REALM);
                        w.put(u, PW, oldPassword(name));
                        w.put(u, PLAIN, legacy(name, 33));
                        w.put(u, DIGEST, legacy(name, 16));
                        w.put(u, APP, utf8("quota:" + name));
                    }
                }
            });
        }
    }

    static byte[] legacy(String name, int length) {
        byte[] b = new byte[length];
        new Random(name.hashCode()).nextBytes(b);
        return b;
    }

    /** Adds of new users with, every 30th line, a password change or a delete of a seeded user. */
    static byte[] batchText() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4 << 20);
        out.writeBytes(utf8("# BatchCrashIT batch\n"));
        int upd = 0;
        int del = 0;
        for (int i = 0; i < NEW_USERS; i++) {
            out.writeBytes(utf8("add " + newUser(i) + "@" + REALM + " "));
            out.writeBytes(newPassword(i));
            out.write('\n');
            if (i % 30 == 29) {
                if (upd < UPDATED && (upd <= del || del >= DELETED)) {
                    String u = seedUser("upd", upd++);
                    out.writeBytes(utf8("add " + u + "@" + REALM + " "));
                    out.writeBytes(changedPassword(u));
                    out.write('\n');
                } else if (del < DELETED) {
                    out.writeBytes(utf8("del " + seedUser("del", del++) + "@" + REALM + "\n"));
                }
            }
        }
        if (upd != UPDATED || del != DELETED) {
            throw new IllegalStateException("batch too short for the seeded changes");
        }
        return out.toByteArray();
    }

    /** user@realm -> property -> value, read through the store API (the store must open). */
    static Map<String, Map<String, byte[]>> readAll(Path store) {
        Map<String, Map<String, byte[]>> all = new TreeMap<>();
        try (CredentialStore s = CredentialStore.open(store, StoreOptions.readOnly())) {
            s.forEach(e -> all.computeIfAbsent(e.authid() + "@" + e.realm(), k -> new TreeMap<>())
                    .put(e.property(), e.value()), damage -> fail("damage in " + store + ": " + damage.getMessage()));
        }
        return all;
    }

    /**
     * Checks that every user is whole; returns 0 if the batch left no trace, 2 if it is fully
     * applied, 1 in between.
     */
    static int checkWhole(Map<String, Map<String, byte[]>> got, Map<String, Map<String, byte[]>> complete, String when) {
        int applied = 0;
        int pending = 0;
        for (String user : got.keySet()) {
            String name = user.substring(0, user.indexOf('@'));
            if (!user.endsWith("@" + REALM) || !(name.startsWith("new-") || name.startsWith("upd-")
                    || name.startsWith("del-") || name.startsWith("keep-"))) {
                fail(when + ": unexpected user " + user);
            }
        }
        for (int i = 0; i < NEW_USERS; i++) {
            String user = newUser(i) + "@" + REALM;
            Map<String, byte[]> recs = got.get(user);
            if (recs == null) {
                pending++;
                continue;
            }
            applied++;
            assertEquals(complete.get(user).keySet(), recs.keySet(), when + ": records of " + user);
            assertArrayEquals(newPassword(i), recs.get(PW), when + ": password of " + user);
        }
        for (int i = 0; i < UPDATED; i++) {
            String name = seedUser("upd", i);
            Map<String, byte[]> recs = got.get(name + "@" + REALM);
            assertTrue(recs != null, when + ": changed user " + name + " vanished");
            if (Arrays.equals(recs.get(PW), oldPassword(name))) {
                pending++;
                assertSeedWhole(name, recs, when);
            } else {
                applied++;
                assertArrayEquals(changedPassword(name), recs.get(PW), when + ": password of " + name);
                assertEquals(complete.get(name + "@" + REALM).keySet(), recs.keySet(), when + ": records of " + name);
                assertArrayEquals(utf8("quota:" + name), recs.get(APP), when + ": kept property of " + name);
            }
        }
        for (int i = 0; i < DELETED; i++) {
            String name = seedUser("del", i);
            Map<String, byte[]> recs = got.get(name + "@" + REALM);
            if (recs == null) {
                applied++;
            } else {
                pending++;
                assertSeedWhole(name, recs, when);
            }
        }
        for (int i = 0; i < KEPT; i++) {
            String name = seedUser("keep", i);
            Map<String, byte[]> recs = got.get(name + "@" + REALM);
            assertTrue(recs != null, when + ": untouched user " + name + " vanished");
            assertSeedWhole(name, recs, when);
        }
        return applied == 0 ? 0 : pending == 0 ? 2 : 1;
    }

    static void assertSeedWhole(String name, Map<String, byte[]> recs, String when) {
        assertEquals(new TreeSet<>(List.of(PW, PLAIN, DIGEST, APP)), recs.keySet(), when + ": records of " + name);
        assertArrayEquals(oldPassword(name), recs.get(PW), when + ": password of " + name);
        assertArrayEquals(legacy(name, 33), recs.get(PLAIN), when + ": " + PLAIN + " of " + name);
        assertArrayEquals(legacy(name, 16), recs.get(DIGEST), when + ": " + DIGEST + " of " + name);
        assertArrayEquals(utf8("quota:" + name), recs.get(APP), when + ": " + APP + " of " + name);
    }

    static void checkComplete(Map<String, Map<String, byte[]>> got, Map<String, Map<String, byte[]>> complete, String when) {
        assertEquals(2, checkWhole(got, complete, when), when + ": batch not fully applied");
        assertEquals(NEW_USERS + UPDATED + KEPT, got.size(), when + ": users in the store");
        assertEquals(complete.keySet(), got.keySet(), when + ": users");
    }

    /**
     * Runs the batch to its end, watching the store file: returns when the first commit changed
     * it and when the run ended, in milliseconds from the start.
     */
    static List<String> smallChunks() {
        return List.of("-Dsasldb4j.batch.chunk=" + SMALL_CHUNK);
    }

    private long[] timedRun(Path batch, Path store, List<String> jvmOptions) throws Exception {
        Path err = dir.resolve("reference.err");
        java.nio.file.attribute.FileTime before = Files.getLastModifiedTime(store);
        long size = Files.size(store);
        long t0 = System.nanoTime();
        Process p = TestJvm.builder(false, jvmOptions, SaslpasswdCommand.class, "--batch", batch.toString(),
                        "-f", store.toString())
                .redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long firstCommit = -1;
        while (!p.waitFor(3, TimeUnit.MILLISECONDS)) {
            if (firstCommit < 0 && (Files.size(store) != size || !Files.getLastModifiedTime(store).equals(before))) {
                firstCommit = (System.nanoTime() - t0) / 1_000_000;
            }
            if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(300)) {
                p.destroyForcibly();
                fail("reference run did not finish in 300 s");
            }
        }
        long end = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, p.exitValue(), () -> "reference run failed: " + read(err));
        return new long[] {firstCommit < 0 ? end / 2 : firstCommit, end};
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    /** Runs the batch to its end; returns how long that took in milliseconds. */
    private long runToEnd(Path batch, Path store, String what) throws Exception {
        long t0 = System.nanoTime();
        Path err = dir.resolve("run.err");
        Process p = TestJvm.builder(false, SaslpasswdCommand.class, "--batch", batch.toString(), "-f", store.toString())
                .redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(what + ": did not finish in 300 s");
        }
        assertEquals(0, p.exitValue(), () -> what + " failed: " + read(err));
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static void copyStore(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
    }

    static void deleteStore(Path store) throws IOException {
        Files.deleteIfExists(store);
        Files.deleteIfExists(store.resolveSibling(store.getFileName() + "-lock"));
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }
}
