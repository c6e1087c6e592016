package org.sasldb4j.saslpasswd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.cli.ExitCodes;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.postgresql.PgCluster;
import org.sasldb4j.store.secret.SecretProperties;

/**
 * {@code saslpasswd --batch} into PostgreSQL (which reads and deletes a chunk's users in bulk)
 * writes exactly what it writes into LMDB for the same input, says the same, and leaves every
 * user it changed in the change log that replicas follow (docs/saslpasswd.md "Batch",
 * docs/postgresql.md). Both stores start alike, including a disabled user and one with hashed
 * secrets, so replacements must keep non-password properties and drop stale secrets.
 */
class PostgresBatchIT {
    private static PgCluster cluster;

    @TempDir
    Path dir;


    @BeforeAll
    static void startCluster() throws Exception {
        cluster = PgCluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private Harness.Result saslpasswd(String stdin, String... args) {
        return new Harness(dir).stdinBytes(stdin.getBytes(UTF_8)).run(args);
    }

    /** Runs the same command on both stores; both must answer alike. Returns the LMDB result. */
    private Harness.Result both(String lmdb, String stdin, String... args) {
        Harness.Result l = saslpasswd(stdin, withStore(args, lmdb));
        Harness.Result p = saslpasswd(stdin, withStore(args, cluster.address()));
        assertEquals(l, p, "LMDB and PostgreSQL answer alike");
        return l;
    }

    private static String[] withStore(String[] args, String store) {
        String[] a = new String[args.length + 2];
        a[0] = "-f";
        a[1] = store;
        System.arraycopy(args, 0, a, 2, args.length);
        return a;
    }

    /**
     * Every record of a store, key -> value hex; the disabled mark's value (the time it was set,
     * which differs between the two stores by the second) shows as {@code mark}.
     */
    private static Map<String, String> records(String store) {
        Map<String, String> m = new TreeMap<>();
        try (CredentialStore s = CredentialStore.open(store, StoreOptions.readOnly())) {
            s.forEach(e -> {
                m.put(e.toString(), e.property().equals(SecretProperties.DISABLED) ? "mark"
                        : java.util.HexFormat.of().formatHex(e.value()));
                e.wipe();
            });
        }
        return m;
    }

    /** The users ({@code authid@realm}) whose records differ between two dumps. */
    private static Set<String> changedUsers(Map<String, String> before, Map<String, String> after) {
        Set<String> keys = new HashSet<>(before.keySet());
        keys.addAll(after.keySet());
        Set<String> users = new TreeSet<>();
        for (String k : keys) {
            if (!java.util.Objects.equals(before.get(k), after.get(k))) {
                users.add(k.substring(0, k.lastIndexOf(": ")));
            }
        }
        return users;
    }

    private static long lastChange() {
        return Long.parseLong(cluster.psql("SELECT coalesce(max(seq), 0) FROM sasldb4j.changes").strip());
    }

    /** The users in the change log after {@code seq}. */
    private static Set<String> loggedSince(long seq) {
        String out = cluster.psql("SELECT DISTINCT authid || '@' || realm FROM sasldb4j.changes WHERE seq > " + seq).strip();
        return out.isEmpty() ? Set.of() : new TreeSet<>(List.of(out.split("\n")));
    }

    @Test
    void batchIntoPostgresWritesWhatItWritesIntoLmdbAndLogsEveryChangedUser() {
        String lmdb = dir.resolve("sasldb").toString();
        String pg = cluster.address();

        // The same starting state in both: plaintext users, one disabled, one with hashed secrets.
        StringBuilder start = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            start.append("add u").append(i).append("@example.org old-").append(i).append('\n');
        }
        assertEquals(ExitCodes.OK, both(lmdb, start.toString(), "--batch", "-").rc());
        assertEquals(ExitCodes.OK, both(lmdb, "", "--disable", "u1@example.org").rc());
        assertEquals(ExitCodes.OK, both(lmdb, "add u2@example.org hashed-2\n", "--batch", "-", "-n").rc());
        Map<String, String> before = records(pg);
        assertEquals(records(lmdb).keySet(), before.keySet());
        assertTrue(before.containsKey("u1@example.org: sasldb4j.disabled"), before.toString());
        assertTrue(before.containsKey("u2@example.org: sasldb4j.argon2id"), before.toString());

        // Replacements, deletions of existing and missing users, one user's lines in sequence
        // (add then del, del then add, add twice), and a user in the default realm.
        String batch = """
                add u0@example.org new-0
                add u1@example.org new-1
                add u2@example.org new-2
                del u3@example.org
                del missing@example.org
                add n1@example.org gone
                del n1@example.org
                del n2@example.org
                add n2@example.org back
                add u4@example.org first
                add u4@example.org second
                del u5@example.org
                add u5@example.org again
                add plain new-plain
                add u6@example.org old-6
                """;
        long seq = lastChange();
        Harness.Result r = both(lmdb, batch, "--batch", "-");
        assertEquals(ExitCodes.OK, r.rc(), r.err());
        assertTrue(r.err().contains("user not found: 2 del lines of stdin named users that do not exist (line 5, 8)"),
                r.err());
        Map<String, String> after = records(pg);
        assertEquals(records(lmdb), after, "PostgreSQL holds exactly what LMDB holds");
        assertEquals("6e65772d31", after.get("u1@example.org: userPassword"));
        assertTrue(after.containsKey("u1@example.org: sasldb4j.disabled"), "a new password keeps the disabled mark");
        assertEquals(Set.of("u2@example.org: userPassword"), keysOf(after, "u2@example.org"), "no stale secrets");
        assertEquals(Set.of(), keysOf(after, "u3@example.org"));
        assertEquals(Set.of(), keysOf(after, "n1@example.org"));
        assertEquals("6261636b", after.get("n2@example.org: userPassword"));
        assertEquals("7365636f6e64", after.get("u4@example.org: userPassword"));
        assertEquals("616761696e", after.get("u5@example.org: userPassword"));
        assertEquals("6e65772d706c61696e", after.get("plain@vm: userPassword"));

        Set<String> changed = changedUsers(before, after);
        assertEquals(Set.of("u0@example.org", "u1@example.org", "u2@example.org", "u3@example.org", "n2@example.org",
                "u4@example.org", "u5@example.org", "plain@vm"), changed);
        Set<String> logged = loggedSince(seq);
        assertTrue(logged.containsAll(changed), "every changed user is in the change log: " + logged);
        Set<String> named = Set.of("u0@example.org", "u1@example.org", "u2@example.org", "u3@example.org",
                "n1@example.org", "n2@example.org", "u4@example.org", "u5@example.org", "u6@example.org", "plain@vm");
        assertTrue(named.containsAll(logged), "only users the batch names are logged: " + logged);

        // A batch with a bad line writes nothing anywhere and says so alike.
        seq = lastChange();
        r = both(lmdb, "add u0@example.org never\nfrobnicate u1@example.org\ndel u4@example.org\n", "--batch", "-");
        assertEquals(ExitCodes.INVALID_INPUT, r.rc());
        assertTrue(r.err().contains("nothing was written"), r.err());
        assertEquals(after, records(pg));
        assertEquals(after, records(lmdb));
        assertEquals(Set.of(), loggedSince(seq));

        // Hashed secrets replace plaintext alike (values are salted: compare the keys).
        r = both(lmdb, "add u0@example.org hashed-0\nadd h1@example.org hashed-1\n", "--batch", "-", "-n");
        assertEquals(ExitCodes.OK, r.rc(), r.err());
        Map<String, String> hashed = records(pg);
        assertEquals(records(lmdb).keySet(), hashed.keySet());
        assertNotEquals(after.keySet(), hashed.keySet());
        assertEquals(Set.of("u0@example.org: authPassword", "u0@example.org: sasldb4j.argon2id",
                "u0@example.org: sasldb4j.scram-sha-256"), keysOf(hashed, "u0@example.org"));
    }

    private static Set<String> keysOf(Map<String, String> records, String user) {
        Set<String> out = new TreeSet<>();
        records.keySet().stream().filter(k -> k.startsWith(user + ": ")).forEach(out::add);
        return out;
    }
}
