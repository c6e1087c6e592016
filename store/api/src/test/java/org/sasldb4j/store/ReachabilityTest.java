package org.sasldb4j.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The one rule of ids no login can reach, used by saslpasswd, its batches and sasldbconvert. */
class ReachabilityTest {
    private static String why(String authid, String realm) {
        return Reachability.whyUnreachable(authid.getBytes(StandardCharsets.UTF_8), realm.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void emptyNamesAndWhiteSpaceAtTheEdgesAreUnreachable() {
        assertNull(why("hal", "vm"));
        assertNull(why("h al", ""));
        assertNull(why("hal", "v m"));
        assertEquals("the user name is empty", why("", "vm"));
        assertTrue(why(" hal", "vm").startsWith("the user name begins or ends with white space"));
        assertTrue(why("hal\t", "vm").startsWith("the user name begins or ends with white space"));
        assertTrue(why("hal", "vm\u000b").startsWith("the realm begins or ends with white space"));
        assertNull(why("hal\u00a0", "vm")); // C isspace knows only ASCII white space
    }

    @Test
    void isSpaceIsCIsspaceInTheCLocale() {
        for (int c = -128; c < 0x3000; c++) {
            boolean expected = c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
            assertEquals(expected, Reachability.isSpace(c), Integer.toString(c));
        }
        assertFalse(Reachability.isSpace((byte) 0x89)); // a UTF-8 continuation byte, negative as a byte
    }

    @Test
    void quotedShowsSpacesAndControlBytes() {
        assertEquals("\"\\x20hal\\x09@v\\x5cm\"", Reachability.quoted(" hal\t".getBytes(StandardCharsets.US_ASCII),
                "v\\m".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("a b", Entry.printable("a b".getBytes(StandardCharsets.US_ASCII)));
    }
}
