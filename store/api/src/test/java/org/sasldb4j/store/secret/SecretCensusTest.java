package org.sasldb4j.store.secret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.RecordSource;
import org.sasldb4j.store.StoreFormat;
import org.sasldb4j.store.UserId;

/** {@code --secrets auto}: the stand-in follows the store's users, in counted hash work. */
class SecretCensusTest {
    static final SecretSet CHEAP_HASHED = SecretSet.HASHED.withArgon2(new Argon2Parameters(512, 2, 1, 16, 32));

    /** A store's records in key order (a user's records together). */
    private static RecordSource source(List<Entry> records) {
        List<Entry> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparing(Entry::key, java.util.Arrays::compareUnsigned));
        return new RecordSource() {
            @Override
            public Path path() {
                return Path.of("test");
            }

            @Override
            public StoreFormat format() {
                return StoreFormat.values()[0];
            }

            @Override
            public void forEach(Consumer<? super Entry> action, Consumer<? super DamagedStoreException> onDamage) {
                sorted.forEach(e -> action.accept(Entry.fromKey(e.key(), e.value())));
            }

            @Override
            public void close() {}
        };
    }

    private static List<Entry> plaintextStore(int plaintext, int hashed) {
        List<Entry> r = new ArrayList<>();
        for (int i = 0; i < plaintext; i++) {
            r.add(Entry.of(UserId.of("user" + i, "ex.org"), SecretProperties.USER_PASSWORD, utf8("pw" + i)));
            r.add(Entry.of(UserId.of("user" + i, "ex.org"), "mail", utf8("x")));
        }
        for (int i = 0; i < hashed; i++) {
            r.addAll(CHEAP_HASHED.encode(UserId.of("hashed" + i, "ex.org"), ("pw" + i).toCharArray()));
        }
        return r;
    }

    @Test
    void aPlaintextStoreGetsAPlaintextStandIn() {
        SecretCensus c = SecretCensus.of(source(plaintextStore(5, 2)), SecretSet.HASHED);
        assertEquals(SecretSet.PLAINTEXT, c.policy());
        assertEquals(7, c.users());
        assertEquals(5, c.matching());
        assertFalse(c.sampled());
        assertEquals("plaintext, like 5 of 7 users; 2 users differ: mixed stores show the scheme through timing,"
                + " see docs/security.md", c.describe());
    }

    @Test
    void aHashedStoreGetsAHashedStandInWithItsParameters() {
        SecretCensus c = SecretCensus.of(source(plaintextStore(1, 3)), SecretSet.PLAINTEXT);
        assertEquals(CHEAP_HASHED, c.policy(), "same kinds and the users' Argon2id parameters");
        assertEquals("hashed (argon2id,scram-sha-1,scram-sha-256), like 3 of 4 users; 1 user differs: mixed stores"
                + " show the scheme through timing, see docs/security.md", c.describe());
    }

    @Test
    void anEmptyStoreGetsTheGivenPolicy() {
        SecretCensus c = SecretCensus.of(source(List.of()), SecretSet.PLAINTEXT);
        assertEquals(SecretSet.PLAINTEXT, c.policy());
        assertEquals(0, c.users());
        assertTrue(c.describe().contains("no users yet"), c.describe());
    }

    @Test
    void usersWithLegacySecretsOnlyDifferButDoNotWin() {
        List<Entry> r = new ArrayList<>(plaintextStore(1, 0));
        for (int i = 0; i < 3; i++) {
            r.add(Entry.of(UserId.of("legacy" + i, "ex.org"), SecretProperties.CMUSASLSECRET_PLAIN, new byte[33]));
        }
        SecretCensus c = SecretCensus.of(source(r), SecretSet.HASHED);
        assertEquals(SecretSet.PLAINTEXT, c.policy());
        assertEquals(4, c.users());
        assertEquals(1, c.matching());
    }

    @Test
    void aLargeStoreIsSampled() {
        SecretCensus c = SecretCensus.of(source(plaintextStore(10, 0)), SecretSet.HASHED, 4);
        assertTrue(c.sampled());
        assertEquals(4, c.users());
        assertEquals(SecretSet.PLAINTEXT, c.policy());
        assertTrue(c.describe().contains("4 of 4 users counted"), c.describe());
    }

    @Test
    void theCensusReadsNoSecretIntoItsDescription() {
        SecretCensus c = SecretCensus.of(source(plaintextStore(3, 1)), SecretSet.HASHED);
        assertFalse(c.toString().contains("pw"), c.toString());
    }

    /**
     * Counted work, not time (as PasswordVerifierTest): in a plaintext store (saslpasswd's
     * default), an unknown user under the census's policy costs what a known user costs, on a
     * password check and on SCRAM's server-first; under the old fixed default ({@code hashed}) it
     * would cost an Argon2id and two PBKDF2 more, which is what told them apart.
     */
    @Test
    @ResourceLock(Resources.GLOBAL)
    void inAPlaintextStoreUnknownUsersCostWhatKnownOnesCost() {
        List<Entry> store = plaintextStore(20, 1);
        SecretSet auto = SecretCensus.of(source(store), SecretSet.HASHED).policy();
        List<Entry> alice = store.stream().filter(e -> e.authid().equals("user7")).toList();

        long[] known = hashWork(() -> new PasswordVerifier(auto).verify(alice, "wrong".toCharArray()));
        long[] unknown = hashWork(() -> new PasswordVerifier(auto).verifyUnknownUser("wrong".toCharArray()));
        assertArrayEquals(known, unknown);
        long[] oldDefault = hashWork(() -> new PasswordVerifier(CHEAP_HASHED).verifyUnknownUser("wrong".toCharArray()));
        assertNotEquals(known[0], oldDefault[0], "the hashed stand-in costs an Argon2id a plaintext user does not");

        MechanismSecrets secrets = new MechanismSecrets(ScramSaltKey.random(), 4096);
        UserId unknownUser = UserId.of("nobody", "ex.org");
        long[] knownScram = hashWork(() -> secrets.scram(UserId.of("user7", "ex.org"), alice, List.of(),
                ScramVariant.SHA_256).wipe());
        long[] unknownScram = hashWork(() -> secrets.scram(unknownUser, List.of(),
                auto.encode(UserId.of("sasldb4j-dummy", ""), "random".toCharArray()), ScramVariant.SHA_256).wipe());
        assertArrayEquals(knownScram, unknownScram);
        assertEquals(4096, knownScram[1], "a plaintext user's server-first costs one PBKDF2");
    }

    private static long[] hashWork(Runnable work) {
        long argon2 = HashWork.ARGON2_KIB_PASSES.sum();
        long pbkdf2 = HashWork.PBKDF2_ITERATIONS.sum();
        work.run();
        return new long[] {HashWork.ARGON2_KIB_PASSES.sum() - argon2, HashWork.PBKDF2_ITERATIONS.sum() - pbkdf2};
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
