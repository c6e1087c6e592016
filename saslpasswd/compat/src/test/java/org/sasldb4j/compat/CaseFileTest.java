package org.sasldb4j.compat;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The case file parses, and its format means what cases.txt's head says (no Cyrus tool needed). */
class CaseFileTest {

    @Test
    void everyCaseOfTheFileIsWellFormedAndItsDocsRowExists() throws Exception {
        List<CompatCase> cases = CaseFile.load("/compat/cases.txt");
        assertTrue(cases.size() > 80, "cases: " + cases.size());
        for (CompatCase c : cases) {
            if (c.docs != null) {
                Checks.docsRow(c);
            }
        }
    }

    @Test
    void wordsAreShellLikeWithByteEscapes() {
        List<Word> w = CaseFile.words("run saslpasswd 'a b\\x' \"c\\n\\xe9\\.\" x\"y z\"w '' # comment", 1);
        assertEquals(6, w.size());
        assertEquals("a b\\x", w.get(2).text());
        assertArrayEquals(new byte[] {'c', '\n', (byte) 0xe9, '\\', '.'}, w.get(3).bytes());
        assertEquals("xy zw", w.get(4).text());
        assertEquals("", w.get(5).text());
        assertTrue(w.get(5).quoted());
        assertFalse(w.get(0).quoted());
    }

    @Test
    void contentConcatenatesItsParts() {
        byte[] b = CaseFile.content(CaseFile.words("repeat:C:3 text:\"\\n\" hex:00ff empty", 1), 1);
        assertArrayEquals(new byte[] {'C', 'C', 'C', '\n', 0, (byte) 0xff}, b);
    }

    @Test
    void variablesAndDefinitionsAreExpanded() {
        List<CompatCase> cases = CaseFile.parse("""
                let X "a\\tb"
                define two
                setup saslpasswd -p x < text:pw
                setup saslpasswd -p y < text:pw
                end
                case c
                kind same
                use cyrus two
                run saslpasswd "${X}"
                check l same
                """);
        CompatCase c = cases.get(0);
        assertEquals(2, c.steps.size());
        assertEquals(Side.CYRUS, c.steps.get(0).side());
        assertEquals("a\tb", new String(c.runs.get(Side.OURS).get(1).bytes(), ISO_8859_1));
    }

    @Test
    void aDeliberateDifferenceWithoutItsDocsRowIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CaseFile.parse("""
                case c
                kind differs
                run saslpasswd -v
                check l same
                """));
        assertTrue(e.getMessage().contains("docs"), e.getMessage());
    }

    @Test
    void anUnknownAssertionIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> CaseFile.parse("""
                case c
                kind same
                run saslpasswd -v
                check l sameish
                """));
    }
}
