package org.sasldb4j.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class UserIdTest {
    /** sasl_strlower: the bytes A-Z lowercased, every other byte (so every other character) kept. */
    @Test
    void realmOfHostLowercasesAsciiLettersOnly() {
        assertEquals("mx.example.org", UserId.realmOfHost("MX.Example.ORG"));
        assertEquals("mail.exÄmple", UserId.realmOfHost("MAIL.EXÄMPLE"));
        assertEquals("\u0130stanbul-\u212a", UserId.realmOfHost("\u0130STANBUL-\u212a")); // dotted I, Kelvin sign
        assertEquals("a\uD800b", UserId.realmOfHost("A\uD800B")); // nothing re-encoded
        String lower = "already.lower";
        assertSame(lower, UserId.realmOfHost(lower));
    }

    @Test
    void realmOfHostIgnoresTheDefaultLocale() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));
            assertEquals("imap.io", UserId.realmOfHost("IMAP.IO")); // not the dotless ı
        } finally {
            Locale.setDefault(before);
        }
    }
}
