package org.sasldb4j.store.secret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.UserId;

class PasswordVerifierTest {
    static final UserId ALICE = UserId.of("alice", "example.org");
    static final SecretSet CHEAP_HASHED = SecretSet.HASHED.withArgon2(Argon2idSchemeTest.CHEAP);
    private final PasswordVerifier verifier = new PasswordVerifier(CHEAP_HASHED);

    private static Entry e(String property, String value) {
        return Entry.of(ALICE, property, value.getBytes(StandardCharsets.UTF_8));
    }

    private static Entry e(String property, byte[] value) {
        return Entry.of(ALICE, property, value);
    }

    @Test
    void plaintextUser() {
        List<Entry> r = List.of(e("userPassword", "secret"), e("other", "x"));
        assertEquals(PasswordVerifier.Outcome.MATCH, verifier.verify(r, "secret".toCharArray()));
        assertEquals(PasswordVerifier.Outcome.MISMATCH, verifier.verify(r, "Secret".toCharArray()));
    }

    @Test
    void cyrusCheckpassFallsBackToLegacyPlain() throws Exception {
        List<Entry> r = List.of(e("userPassword", "new"), e("cmusaslsecretPLAIN", CyrusPlainSchemeTest.handBuilt("old")));
        assertEquals(PasswordVerifier.Outcome.MATCH, verifier.verify(r, "new".toCharArray()));
        assertEquals(PasswordVerifier.Outcome.MATCH_NEEDS_REHASH, verifier.verify(r, "old".toCharArray()));
        assertEquals(PasswordVerifier.Outcome.MISMATCH, verifier.verify(r, "neither".toCharArray()));
        List<Entry> onlyLegacy = List.of(e("cmusaslsecretPLAIN", CyrusPlainSchemeTest.handBuilt("old")));
        assertEquals(PasswordVerifier.Outcome.MATCH_NEEDS_REHASH, verifier.verify(onlyLegacy, "old".toCharArray()));
    }

    @Test
    void userPasswordWinsOverHashedSecretsAsInCyrus() {
        List<Entry> r = new ArrayList<>(CHEAP_HASHED.encode(ALICE, "old".toCharArray()));
        r.add(e("userPassword", "new"));
        assertEquals(PasswordVerifier.Outcome.MATCH, verifier.verify(r, "new".toCharArray()));
        assertEquals(PasswordVerifier.Outcome.MISMATCH, verifier.verify(r, "old".toCharArray()));
    }

    @Test
    void hashedUserAndEachSecretAlone() {
        List<Entry> r = CHEAP_HASHED.encode(ALICE, "pencil".toCharArray());
        assertEquals(List.of("sasldb4j.argon2id", "authPassword", "sasldb4j.scram-sha-256"),
                r.stream().map(Entry::property).toList());
        assertEquals(PasswordVerifier.Outcome.MATCH, verifier.verify(r, "pencil".toCharArray()));
        assertEquals(PasswordVerifier.Outcome.MISMATCH, verifier.verify(r, "pencil2".toCharArray()));
        for (Entry one : r) {
            assertEquals(PasswordVerifier.Outcome.MATCH, verifier.verify(List.of(one), "pencil".toCharArray()), one.property());
        }
        assertEquals(PasswordVerifier.Outcome.MATCH, verifier.verify(
                List.of(e("authPassword", ScramKeysTest.CYRUS_VECTOR)), "pencil-and-otp-phrase".toCharArray()));
    }

    @Test
    void staleSecretsFailClosed() {
        List<Entry> r = new ArrayList<>(CHEAP_HASHED.encode(ALICE, "old".toCharArray()));
        r.removeIf(x -> x.property().equals("authPassword"));
        // A tool that knows only Cyrus rewrote authPassword with the new password.
        r.add(e("authPassword", new String(SecretSchemes.authPassword().encode("new".toCharArray()), StandardCharsets.US_ASCII)));
        assertEquals(PasswordVerifier.Outcome.MISMATCH, verifier.verify(r, "old".toCharArray()));
        assertEquals(PasswordVerifier.Outcome.MISMATCH, verifier.verify(r, "new".toCharArray()));
    }

    @Test
    void malformedSecretsAreSkipped() {
        List<Entry> r = new ArrayList<>(CHEAP_HASHED.encode(ALICE, "pw".toCharArray()));
        r.add(e("sasldb4j.cram-md5", "{CRAM-MD5}zz"));
        assertEquals(PasswordVerifier.Outcome.MATCH, verifier.verify(r, "pw".toCharArray()));
        assertEquals(PasswordVerifier.Outcome.MISMATCH,
                verifier.verify(List.of(e("authPassword", "SCRAM-SHA-1$garbage")), "pw".toCharArray()));
    }

    @Test
    void rehashWhenPolicyIsStronger() {
        List<Entry> r = CHEAP_HASHED.encode(ALICE, "pw".toCharArray());
        PasswordVerifier stronger = new PasswordVerifier(
                SecretSet.HASHED.withArgon2(new Argon2Parameters(128, 2, 1, 16, 32)));
        assertEquals(PasswordVerifier.Outcome.MATCH_NEEDS_REHASH, stronger.verify(r, "pw".toCharArray()));
        assertEquals(PasswordVerifier.Outcome.MISMATCH, stronger.verify(r, "px".toCharArray()));
        // A policy without Argon2id does not judge the Argon2id secret.
        PasswordVerifier scramOnly = new PasswordVerifier(SecretSet.of(SecretSet.Kind.SCRAM_SHA_256));
        assertEquals(PasswordVerifier.Outcome.MATCH, scramOnly.verify(r, "pw".toCharArray()));
    }

    @Test
    void disabledRevealedOnlyWithTheRightPassword() {
        List<Entry> r = new ArrayList<>(CHEAP_HASHED.encode(ALICE, "pw".toCharArray()));
        r.add(e("sasldb4j.disabled", SecretProperties.disabledValue(java.time.Instant.EPOCH)));
        assertEquals(PasswordVerifier.Outcome.DISABLED, verifier.verify(r, "pw".toCharArray()));
        assertEquals(PasswordVerifier.Outcome.MISMATCH, verifier.verify(r, "px".toCharArray()));
        assertTrue(PasswordVerifier.isDisabled(r));
        assertFalse(PasswordVerifier.Outcome.DISABLED.authenticated());
    }

    @Test
    void unknownUserRunsTheDummy() {
        assertEquals(PasswordVerifier.Outcome.NO_SUCH_USER, verifier.verify(List.of(), "pw".toCharArray()));
        assertEquals(PasswordVerifier.Outcome.NO_SUCH_USER, verifier.verify(List.of(e("mail", "x")), "pw".toCharArray()));
        assertEquals(PasswordVerifier.Outcome.NO_SUCH_USER, verifier.verifyUnknownUser("pw".toCharArray()));
        assertEquals(List.of("sasldb4j.argon2id", "authPassword", "sasldb4j.scram-sha-256"), verifier.dummyProperties());
        assertEquals(List.of("userPassword"), new PasswordVerifier(SecretSet.PLAINTEXT).dummyProperties());
    }

    /**
     * Counted work, not time: the hashes an unknown user costs are the ones a known user of the
     * policy costs, parameter for parameter. (The counters are process-wide:
     * if tests ever run in parallel, this one runs alone.)
     * Without the dummy verification the unknown user would cost no hashing at all.
     */
    @Test
    @ResourceLock(Resources.GLOBAL)
    void unknownUserCostsWhatAKnownOneCosts() {
        PasswordVerifier v = new PasswordVerifier(SecretSet.HASHED.withArgon2(new Argon2Parameters(4096, 2, 1, 16, 32)));
        List<Entry> r = v.policy().encode(ALICE, "pw".toCharArray());
        long[] known = hashWork(() -> v.verify(r, "wrong".toCharArray()));
        // One Argon2id (4096 KiB, 2 passes), one PBKDF2 for authPassword and one for SCRAM-SHA-256.
        assertArrayEquals(new long[] {4096 * 2, 2 * SecretSchemes.DEFAULT_SCRAM_ITERATIONS}, known);
        assertArrayEquals(known, hashWork(() -> v.verifyUnknownUser("wrong".toCharArray())));
        assertArrayEquals(known, hashWork(() -> v.verify(List.of(), "wrong".toCharArray())));
        assertArrayEquals(known, hashWork(() -> v.verify(List.of(e("mail", "x")), "wrong".toCharArray())));
        // Not valid Unicode (matches nothing): whatever it costs, it costs the same for both.
        char[] invalid = {'\uD800'};
        assertArrayEquals(hashWork(() -> v.verify(r, invalid)), hashWork(() -> v.verify(List.of(), invalid)));
    }

    /** Argon2id KiB-passes and PBKDF2 iterations done by {@code work}. */
    private static long[] hashWork(Runnable work) {
        long argon2 = HashWork.ARGON2_KIB_PASSES.sum();
        long pbkdf2 = HashWork.PBKDF2_ITERATIONS.sum();
        work.run();
        return new long[] {HashWork.ARGON2_KIB_PASSES.sum() - argon2, HashWork.PBKDF2_ITERATIONS.sum() - pbkdf2};
    }

    @Test
    void recordsOfTwoUsersAreRefused() {
        List<Entry> r = List.of(e("userPassword", "a"),
                Entry.of(UserId.of("bob", "example.org"), "userPassword", new byte[] {'a'}));
        assertThrows(IllegalArgumentException.class, () -> verifier.verify(r, "a".toCharArray()));
    }

    @Test
    void toStringShowsPolicyOnly() {
        assertEquals("PasswordVerifier[argon2id,scram-sha-1,scram-sha-256]", verifier.toString());
    }
}
