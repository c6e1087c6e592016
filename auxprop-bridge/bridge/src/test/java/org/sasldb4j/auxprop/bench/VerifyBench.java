package org.sasldb4j.auxprop.bench;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.Argon2Parameters;
import org.sasldb4j.store.secret.PasswordVerifier.Outcome;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretSchemes;
import org.sasldb4j.store.secret.SecretSet;

/**
 * Benchmark of {@link AuxpropBridge#verify} (not a unit test; run with scripts/bench-verify.sh).
 *
 * <ol>
 *   <li>Plaintext: a 1,000,000-user LMDB store ({@code userPassword} each), one thread,
 *       random users, warm-up then timed rounds; reports verifications/s and heap bytes allocated
 *       per verification (thread allocation counter).
 *   <li>Argon2id with the default parameters ({@link Argon2Parameters#CURRENT}): verifications/s
 *       on one thread and the memory one verification needs.
 * </ol>
 *
 * Arguments: {@code [store path] [users] [rounds] [argon2 verifications]}.
 */
public final class VerifyBench {
    private VerifyBench() {}

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args.length > 0 ? args[0] : "target-bridge/bench/users-1m.lmdb");
        int users = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int argonRuns = args.length > 3 ? Integer.parseInt(args[3]) : 40;
        System.out.printf(Locale.ROOT, "java %s, %s, %d CPUs%n", System.getProperty("java.version"),
                System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors());
        ensureStore(path, users);
        plaintext(path, users, rounds);
        proposedStore(path, users, rounds);
        argon2(path.resolveSibling("argon2.lmdb"), argonRuns);
    }

    static String name(int i) {
        return String.format(Locale.ROOT, "user%07d", i);
    }

    static String password(int i) {
        return String.format(Locale.ROOT, "pw-%07d-secret", i);
    }

    private static void ensureStore(Path path, int users) throws Exception {
        if (Files.exists(path)) {
            return;
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        long t0 = System.nanoTime();
        try (CredentialStore s = CredentialStore.open(path, StoreOptions.create())) {
            for (int start = 0; start < users; start += 100_000) {
                int from = start;
                int to = Math.min(users, start + 100_000);
                s.update(w -> {
                    for (int i = from; i < to; i++) {
                        w.put(UserId.of(name(i), "bench"), SecretProperties.USER_PASSWORD,
                                password(i).getBytes(StandardCharsets.UTF_8));
                    }
                });
            }
        }
        System.out.printf(Locale.ROOT, "built %d-user store %s in %.1f s (%d MiB)%n", users, path,
                (System.nanoTime() - t0) / 1e9, Files.size(path) >> 20);
    }

    private static void plaintext(Path path, int users, int rounds) {
        // Inputs prepared up front so the loop measures verify, not string formatting.
        int n = 1 << 20;
        String[] names = new String[n];
        char[][] passwords = new char[n][];
        Random r = new Random(42);
        for (int k = 0; k < n; k++) {
            int i = r.nextInt(users);
            names[k] = name(i);
            passwords[k] = password(i).toCharArray();
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        try (AuxpropBridge bridge = AuxpropBridge.open(path, BridgeConfig.of("bench").withPolicy(SecretSet.PLAINTEXT))) {
            run(bridge, names, passwords, 2 * n); // warm-up (JIT, page cache)
            double best = 0;
            for (int round = 1; round <= rounds; round++) {
                long a0 = threads.getThreadAllocatedBytes(self);
                long c0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                int matched = run(bridge, names, passwords, 2 * n);
                long dt = System.nanoTime() - t0;
                long cpu = threads.getCurrentThreadCpuTime() - c0;
                long bytes = threads.getThreadAllocatedBytes(self) - a0;
                double rate = 2.0 * n / (dt / 1e9);
                best = Math.max(best, rate);
                System.out.printf(Locale.ROOT, "plaintext round %d: %,.0f verifications/s wall (%,.0f/s per CPU-second), %.0f ns each,"
                        + " %d B allocated each%s%n", round, rate, 2.0 * n / (cpu / 1e9), dt / (2.0 * n), bytes / (2L * n),
                        matched == 2 * n ? "" : "  MISMATCHES!");
            }
            System.out.printf(Locale.ROOT, "plaintext best: %,.0f verifications/s%n", best);
            // wrong passwords and unknown users cost about the same
            long t0 = System.nanoTime();
            char[] wrong = "wrong".toCharArray();
            for (int k = 0; k < n; k++) {
                bridge.verify(names[k], null, wrong);
            }
            System.out.printf(Locale.ROOT, "plaintext wrong password: %,.0f/s%n", n / ((System.nanoTime() - t0) / 1e9));
            t0 = System.nanoTime();
            for (int k = 0; k < n; k++) {
                bridge.verify("ghost" + (k & 1023), null, passwords[k]);
            }
            System.out.printf(Locale.ROOT, "plaintext unknown user (dummy plaintext check): %,.0f/s%n",
                    n / ((System.nanoTime() - t0) / 1e9));
        }
    }

    /**
     * The same verification with the proposed store change (see {@link ReusedTxnLookup}):
     * canonicalisation, one cursor lookup in a reused read transaction, {@link PasswordVerifier}.
     */
    private static void proposedStore(Path path, int users, int rounds) {
        int n = 1 << 20;
        UserId[] ids = new UserId[n];
        char[][] passwords = new char[n][];
        Random r = new Random(42);
        for (int k = 0; k < n; k++) {
            int i = r.nextInt(users);
            ids[k] = null;
            passwords[k] = password(i).toCharArray();
            ids[k] = UserId.of(name(i), "bench");
        }
        var verifier = new org.sasldb4j.store.secret.PasswordVerifier(SecretSet.PLAINTEXT);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        try (ReusedTxnLookup store = new ReusedTxnLookup(path)) {
            for (int round = 0; round <= rounds; round++) {
                long a0 = threads.getThreadAllocatedBytes(self);
                long c0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                int matched = 0;
                for (int k = 0; k < 2 * n; k++) {
                    int j = k & (n - 1);
                    // what AuxpropBridge.verify does: canonical id -> records -> verifier
                    var records = store.user(UserId.of(ids[j].authid(), ids[j].realm()));
                    if (verifier.verify(records, passwords[j]) == Outcome.MATCH) {
                        matched++;
                    }
                    records.forEach(org.sasldb4j.store.Entry::wipe);
                }
                long dt = System.nanoTime() - t0;
                long cpu = threads.getCurrentThreadCpuTime() - c0;
                if (round > 0) {
                    System.out.printf(Locale.ROOT, "proposed store (reused txn/cursor/key buffer) round %d: %,.0f verifications/s wall"
                            + " (%,.0f/s per CPU-second), %d B allocated each%s%n", round, 2.0 * n / (dt / 1e9),
                            2.0 * n / (cpu / 1e9), (threads.getThreadAllocatedBytes(self) - a0) / (2L * n),
                            matched == 2 * n ? "" : "  MISMATCHES!");
                }
            }
        }
    }

    private static int run(AuxpropBridge bridge, String[] names, char[][] passwords, int count) {
        int matched = 0;
        int mask = names.length - 1;
        for (int k = 0; k < count; k++) {
            if (bridge.verify(names[k & mask], null, passwords[k & mask]) == Outcome.MATCH) {
                matched++;
            }
        }
        return matched;
    }

    private static void argon2(Path path, int runs) throws Exception {
        Files.deleteIfExists(path);
        Argon2Parameters p = Argon2Parameters.CURRENT;
        try (CredentialStore s = CredentialStore.open(path, StoreOptions.create())) {
            s.update(w -> w.put(UserId.of("argon", "bench"), SecretProperties.ARGON2ID,
                    SecretSchemes.argon2id(p).encode("correct horse".toCharArray())));
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        try (AuxpropBridge bridge = AuxpropBridge.open(path, BridgeConfig.of("bench").withPolicy(SecretSet.of(SecretSet.Kind.ARGON2ID)))) {
            char[] pw = "correct horse".toCharArray();
            for (int i = 0; i < 5; i++) {
                bridge.verify("argon", null, pw);
            }
            long a0 = threads.getThreadAllocatedBytes(self);
            long t0 = System.nanoTime();
            for (int i = 0; i < runs; i++) {
                if (bridge.verify("argon", null, pw) != Outcome.MATCH) {
                    throw new IllegalStateException("argon2 verification failed");
                }
            }
            long dt = System.nanoTime() - t0;
            long heap = (threads.getThreadAllocatedBytes(self) - a0) / runs;
            System.out.printf(Locale.ROOT, "argon2id m=%d KiB t=%d p=%d: %.1f verifications/s on one thread (%.1f ms each);"
                    + " native memory per verification %d KiB (m), Java heap %d B%n",
                    p.memoryKiB(), p.iterations(), p.parallelism(), runs / (dt / 1e9), dt / 1e6 / runs, p.memoryKiB(), heap);
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(Path.of(path + "-lock"));
        }
    }
}
