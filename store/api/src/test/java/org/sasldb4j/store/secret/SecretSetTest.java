package org.sasldb4j.store.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.UserId;

class SecretSetTest {
    @Test
    void defaults() {
        assertEquals("argon2id,scram-sha-1,scram-sha-256", SecretSet.HASHED.toString());
        assertEquals(Set.of("sasldb4j.argon2id", "authPassword", "sasldb4j.scram-sha-256"), SecretSet.HASHED.properties());
        assertFalse(SecretSet.HASHED.passwordEquivalent());
        assertTrue(SecretSet.PLAINTEXT.passwordEquivalent());
        assertEquals(Set.of("userPassword"), SecretSet.PLAINTEXT.properties());
    }

    @Test
    void parse() {
        assertEquals(SecretSet.HASHED, SecretSet.parse("hashed"));
        assertEquals(SecretSet.HASHED, SecretSet.parse(" SCRAM-SHA-256 , argon2id,scram-sha-1"));
        assertEquals("plaintext,argon2id,scram-sha-1,scram-sha-256,cram-md5",
                SecretSet.parse("hashed,cram-md5,plaintext").toString());
        var e = assertThrows(IllegalArgumentException.class, () -> SecretSet.parse("argon2id,md5"));
        assertTrue(e.getMessage().contains("'md5'"));
        assertThrows(IllegalArgumentException.class, () -> SecretSet.parse(""));
        assertThrows(IllegalArgumentException.class, () -> SecretSet.HASHED.withScramIterations(100));
    }

    @Test
    void encodeNeverWritesAHashIntoUserPassword() {
        SecretSet all = SecretSet.parse("plaintext,hashed,cram-md5").withArgon2(Argon2idSchemeTest.CHEAP);
        List<Entry> r = all.encode(UserId.of("a", "r"), "pw".toCharArray());
        for (Entry e : r) {
            String v = new String(e.value(), StandardCharsets.US_ASCII);
            switch (e.property()) {
                case "userPassword" -> assertEquals("pw", v);
                case "sasldb4j.argon2id" -> assertTrue(v.startsWith("{ARGON2ID}$argon2id$v=19$m=64,t=1,p=1$"));
                case "authPassword" -> assertTrue(v.startsWith("SCRAM-SHA-1$4096:"));
                case "sasldb4j.scram-sha-256" -> assertTrue(v.startsWith("{SCRAM-SHA-256}4096,"));
                case "sasldb4j.cram-md5" -> assertTrue(v.startsWith("{CRAM-MD5}"));
                default -> throw new AssertionError(e.property());
            }
        }
        assertEquals(5, r.size());
        assertEquals(PasswordVerifier.Outcome.MATCH, new PasswordVerifier(all).verify(r, "pw".toCharArray()));
    }

    @Test
    void summaryShowsSchemesNeverValues() {
        UserId u = UserId.of("a", "r");
        List<Entry> r = new java.util.ArrayList<>(SecretSet.HASHED.withArgon2(Argon2idSchemeTest.CHEAP).encode(u, "pw".toCharArray()));
        r.add(Entry.of(u, "userPassword", "pw".getBytes(StandardCharsets.US_ASCII)));
        r.add(Entry.of(u, "cmusaslsecretOTP", "md5\t0499".getBytes(StandardCharsets.US_ASCII)));
        r.add(Entry.of(u, "mail", "a@example.org".getBytes(StandardCharsets.US_ASCII)));
        r.add(Entry.of(u, "sasldb4j.disabled", SecretProperties.disabledValue(java.time.Instant.parse("2024-01-02T03:04:05.678Z"))));
        var s = SecretProperties.summarize(r);
        assertEquals(List.of("argon2id", "scram-sha-1", "scram-sha-256", "plaintext", "cmusaslsecretOTP"), s.schemes());
        assertTrue(s.disabled());
        assertEquals("disabled 2024-01-02T03:04:05Z",
                new String(SecretProperties.disabledValue(java.time.Instant.parse("2024-01-02T03:04:05.678Z")), StandardCharsets.US_ASCII));
        assertFalse(s.toString().contains("pw"));
    }
}
