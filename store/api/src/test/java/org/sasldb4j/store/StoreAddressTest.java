package org.sasldb4j.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StoreAddressTest {

    @Test
    void serverAddressesAndFilePaths() {
        for (String s : new String[] {"postgresql://h/db", "POSTGRES://h", "service=fleet", " postgresql://x"}) {
            assertTrue(StoreAddress.isServer(s), s);
        }
        for (String s : new String[] {"/etc/sasldb2", "./postgresql://h", "sasldb.sqlite", "services=x", ""}) {
            assertFalse(StoreAddress.isServer(s), s);
        }
        assertFalse(StoreAddress.isServer(null));
    }

    @Test
    void passwordsAreHiddenWhereverTheyAre() {
        assertEquals("postgresql://u:***@h:5432/db", StoreAddress.redacted("postgresql://u:secret@h:5432/db"));
        assertEquals("postgresql://u@h/db?sslmode=require&password=***",
                StoreAddress.redacted("postgresql://u@h/db?sslmode=require&password=secret"));
        // Unencoded '/', '@' or ':' in a password (malformed, but typed) are hidden too.
        assertEquals("postgresql://u:***@h/db", StoreAddress.redacted("postgresql://u:se/cret@h/db"));
        assertEquals("postgresql://u:***@h/db", StoreAddress.redacted("postgresql://u:se@cret@h/db"));
        assertEquals("postgresql://u:***@h/db", StoreAddress.redacted("postgresql://u:se:cret@h/db"));
        assertTrue(StoreAddress.hasPassword("postgresql://u:x@h/db"));
        assertTrue(StoreAddress.hasPassword("postgresql://u@h/db?password=x"));
        // Nothing else changes.
        for (String s : new String[] {"postgresql://u@h:5432/db?sslmode=verify-full", "postgresql://h/db@x",
                "service=fleet", "/var/lib/sasl:x@y"}) {
            assertEquals(s, StoreAddress.redacted(s));
            assertFalse(StoreAddress.hasPassword(s), s);
        }
    }
}
