package org.sasldb4j.store.secret;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.RecordSource;

/**
 * Which secrets a store's users hold: the policy an unknown user's stand-in should follow so it
 * costs what the store's users cost ({@code sasldb-authd --secrets auto}).
 *
 * <p>A user counts with the exact set of {@link SecretSet.Kind}s their records hold ({@code
 * userPassword} = plaintext, {@code authPassword} = SCRAM-SHA-1, sasldb4j's Argon2id,
 * SCRAM-SHA-256 and CRAM-MD5 properties); the most common set wins, with the Argon2id parameters
 * most common among its users (a stand-in hashed with other parameters would cost another
 * time). Users holding none of these (legacy Cyrus secrets only) count as differing.
 *
 * <p>Bounded: at most {@link #MAX_USERS} users are counted (a sample: the first in key order);
 * counting 100,000 users of an LMDB store took about 1 s (plaintext or hashed, on a busy 2-core
 * machine, docs/benchmarks.md), so start and reload take at most about 2 s more.
 *
 * <p><b>Security:</b> reads property names, and of an Argon2id value only its parameters; every
 * value copy is wiped.
 */
public final class SecretCensus {
    /** Users counted at most; the rest of a larger store is not read. */
    public static final int MAX_USERS = 200_000;

    private final int users;
    private final int matching;
    private final SecretSet policy;
    private final boolean sampled;

    private SecretCensus(int users, int matching, SecretSet policy, boolean sampled) {
        this.users = users;
        this.matching = matching;
        this.policy = policy;
        this.sampled = sampled;
    }

    /**
     * Counts the users of {@code source}.
     *
     * @param empty the policy when no user holds a known secret (an empty store)
     */
    public static SecretCensus of(RecordSource source, SecretSet empty) {
        return of(source, empty, MAX_USERS);
    }

    static SecretCensus of(RecordSource source, SecretSet empty, int maxUsers) {
        Tally tally = new Tally(maxUsers);
        try {
            source.forEach(tally::add);
        } catch (Tally.Full full) {
            // Enough users for the majority: the rest is not read.
        }
        tally.endUser();
        return tally.result(empty);
    }

    /** The policy of the most common set of secrets (or the {@code empty} one given). */
    public SecretSet policy() {
        return policy;
    }

    /** Users counted (those holding legacy secrets only included). */
    public int users() {
        return users;
    }

    /** Users holding exactly {@link #policy()}'s secrets. */
    public int matching() {
        return matching;
    }

    /** True if the store had more than {@link #MAX_USERS} users and only those were counted. */
    public boolean sampled() {
        return sampled;
    }

    /**
     * One line for the start-up log, e.g. {@code plaintext, like 1,234 of 1,240 users; 6 users
     * differ: mixed stores show the scheme through timing, see docs/security.md}.
     */
    public String describe() {
        String name = policy.kinds().equals(SecretSet.HASHED.kinds()) ? "hashed (" + policy + ")" : policy.toString();
        if (users == 0) {
            return name + " (the store has no users yet; reload after adding users of another scheme)";
        }
        String of = String.format(Locale.ROOT, "%,d of %,d users%s", matching, users, sampled ? " counted" : "");
        int differ = users - matching;
        return name + ", like " + of + (differ == 0 ? ""
                : String.format(Locale.ROOT, "; %,d %s: mixed stores show the scheme through timing, see docs/security.md",
                        differ, differ == 1 ? "user differs" : "users differ"));
    }

    @Override
    public String toString() {
        return "SecretCensus[" + describe() + "]";
    }

    /** Groups records by user (a store visits a user's records together, in key order). */
    private static final class Tally {
        /** Thrown from the visit to stop it once enough users are counted. */
        static final class Full extends RuntimeException {
            private static final long serialVersionUID = 1L;

            Full() {
                super(null, null, false, false);
            }
        }

        private final int maxUsers;
        private final Map<Set<SecretSet.Kind>, Integer> sets = new HashMap<>();
        private final Map<Set<SecretSet.Kind>, Map<Argon2Parameters, Integer>> argon2 = new HashMap<>();
        private byte[] authid;
        private byte[] realm;
        private EnumSet<SecretSet.Kind> kinds = EnumSet.noneOf(SecretSet.Kind.class);
        private Argon2Parameters parameters;
        private int users;
        private boolean sampled;

        Tally(int maxUsers) {
            this.maxUsers = maxUsers;
        }

        void add(Entry e) {
            try {
                if (authid == null || !Arrays.equals(authid, e.authidBytes()) || !Arrays.equals(realm, e.realmBytes())) {
                    endUser();
                    if (users >= maxUsers) {
                        sampled = true;
                        throw new Full();
                    }
                    authid = e.authidBytes();
                    realm = e.realmBytes();
                }
                kind(e).ifPresent(kinds::add);
                if (SecretProperties.ARGON2ID.equals(e.property())) {
                    parameters = argon2Parameters(e.value());
                }
            } finally {
                e.wipe();
            }
        }

        void endUser() {
            if (authid == null) {
                return;
            }
            users++;
            if (!kinds.isEmpty()) {
                Set<SecretSet.Kind> key = Set.copyOf(kinds);
                sets.merge(key, 1, Integer::sum);
                if (parameters != null) {
                    argon2.computeIfAbsent(key, k -> new HashMap<>()).merge(parameters, 1, Integer::sum);
                }
            }
            authid = null;
            realm = null;
            kinds = EnumSet.noneOf(SecretSet.Kind.class);
            parameters = null;
        }

        SecretCensus result(SecretSet empty) {
            Set<SecretSet.Kind> best = null;
            int count = 0;
            for (Map.Entry<Set<SecretSet.Kind>, Integer> s : sets.entrySet()) {
                if (s.getValue() > count || (s.getValue() == count && order(s.getKey()) < order(best))) {
                    best = s.getKey();
                    count = s.getValue();
                }
            }
            if (best == null) {
                return new SecretCensus(users, 0, empty, sampled);
            }
            List<SecretSet.Kind> k = best.stream().sorted().toList();
            SecretSet policy = SecretSet.of(k.get(0), k.subList(1, k.size()).toArray(SecretSet.Kind[]::new));
            Map<Argon2Parameters, Integer> params = argon2.get(best);
            if (params != null) {
                policy = policy.withArgon2(params.entrySet().stream()
                        .max(Map.Entry.<Argon2Parameters, Integer>comparingByValue()
                                .thenComparing(p -> p.getKey().memoryKiB()))
                        .orElseThrow().getKey());
            }
            return new SecretCensus(users, count, policy, sampled);
        }

        /** A tie goes the same way every time: the set with the lowest kinds first. */
        private static int order(Set<SecretSet.Kind> kinds) {
            if (kinds == null) {
                return Integer.MAX_VALUE;
            }
            int bits = 0;
            for (SecretSet.Kind k : kinds) {
                bits |= 1 << k.ordinal();
            }
            return bits;
        }

        private static Optional<SecretSet.Kind> kind(Entry e) {
            return switch (e.property()) {
                case SecretProperties.USER_PASSWORD -> Optional.of(SecretSet.Kind.PLAINTEXT);
                case SecretProperties.ARGON2ID -> Optional.of(SecretSet.Kind.ARGON2ID);
                case SecretProperties.AUTH_PASSWORD -> Optional.of(SecretSet.Kind.SCRAM_SHA_1);
                case SecretProperties.SCRAM_SHA_256 -> Optional.of(SecretSet.Kind.SCRAM_SHA_256);
                case SecretProperties.CRAM_MD5 -> Optional.of(SecretSet.Kind.CRAM_MD5);
                default -> Optional.empty();
            };
        }

        /** The parameters of an Argon2id value, or null if it is malformed (it then costs nothing to verify). */
        private static Argon2Parameters argon2Parameters(byte[] value) {
            try {
                Argon2idScheme.PhcString phc = Argon2idScheme.PhcString.parse(value);
                try {
                    return phc.parameters();
                } finally {
                    Wipe.bytes(phc.hash());
                    Wipe.bytes(phc.salt());
                }
            } catch (IllegalArgumentException e) { // MalformedSecretException, or parameters out of bounds
                return null;
            } finally {
                Wipe.bytes(value);
            }
        }
    }
}
