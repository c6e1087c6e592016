package org.sasldb4j.auxprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** docs/reference/cyrus-sasldb.md §2.2 and §2.4. */
class CanonicalizerTest {
    private static Optional<String> c(String name, String userRealm, String fqdn) {
        return Canonicalizer.canonicalize(name, userRealm, fqdn).map(CanonicalUser::toString);
    }

    @Test
    void trimsCLocaleWhitespaceOnly() {
        assertEquals(Optional.of("ivy@vm"), c("  ivy  ", null, "vm"));
        assertEquals(Optional.of("ivy@vm"), c("\t\n\u000b\f\rivy\r\n", null, "vm"));
        // U+00A0 is not isspace in the C locale: kept
        assertEquals(Optional.of("\u00a0ivy@vm"), c("\u00a0ivy", null, "vm"));
        assertEquals(Optional.of("a b@vm"), c(" a b ", null, "vm"));
    }

    @Test
    void allWhitespaceEmptyNulAndOverlongFail() {
        assertTrue(c("   ", null, "vm").isEmpty());
        assertTrue(c("", null, "vm").isEmpty());
        assertTrue(c(null, null, "vm").isEmpty());
        assertTrue(c("a\0b", null, "vm").isEmpty());
        // authid '@' realm NUL must fit Cyrus's 1024-byte buffer
        assertTrue(c("x".repeat(1022), null, "").isPresent());
        assertTrue(c("x".repeat(1023), null, "").isEmpty());
    }

    @Test
    void splitsAtFirstAt() {
        assertEquals(Optional.of("ivy@vm"), c("ivy@vm", null, "other"));
        assertEquals(Optional.of("a@b@c"), Canonicalizer.canonicalize("a@b@c", null, "vm").map(CanonicalUser::toString));
        CanonicalUser u = Canonicalizer.canonicalize("a@b@c", null, "vm").orElseThrow();
        assertEquals("a", u.authid());
        assertEquals("b@c", u.realm());
        CanonicalUser lead = Canonicalizer.canonicalize("@lead", null, "vm").orElseThrow();
        assertEquals("", lead.authid());
        assertEquals("lead", lead.realm());
        CanonicalUser trail = Canonicalizer.canonicalize("trail@", "x", "vm").orElseThrow();
        assertEquals("", trail.realm());
    }

    @Test
    void userRealmEvenEmptyBeatsTheFqdn() {
        assertEquals(Optional.of("frank@"), c("frank", "", "vm"));
        assertEquals(Optional.of("frank@example.org"), c("frank", "example.org", "vm"));
        assertEquals(Optional.of("frank@vm"), c("frank@vm", "", "other"));
    }

    @Test
    void serverFqdnIsLowercasedAsciiOnly() {
        assertEquals("vm", BridgeConfig.of("VM").serverFqdn());
        assertEquals("mail.exÄmple", BridgeConfig.of("MAIL.EXÄMPLE").serverFqdn());
    }

    @Test
    void caseIsKept() {
        assertEquals(Optional.of("ALICE@EXAMPLE.ORG"), c("ALICE@EXAMPLE.ORG", null, "vm"));
    }
}
