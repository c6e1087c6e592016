package org.sasldb4j.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed man pages are exactly what the commands' models give, so an option added to a
 * command cannot be missing from its page. {@code -Dsasldb4j.updateManPages=true} rewrites them.
 */
class ManPagesTest {
    private static final Path DIR = Path.of("man"); // tests run in the docs module's directory

    @Test
    void committedPagesMatchTheCommandModels() throws IOException {
        Map<String, String> pages = ManPages.render();
        if (Boolean.getBoolean("sasldb4j.updateManPages")) {
            ManPages.main(new String[] {DIR.toString()});
        }
        for (Map.Entry<String, String> p : pages.entrySet()) {
            Path file = DIR.resolve(p.getKey());
            assertTrue(Files.exists(file), file + " is missing: run the docs tests with -Dsasldb4j.updateManPages=true");
            assertEquals(p.getValue(), Files.readString(file, StandardCharsets.UTF_8),
                    file + " is stale: run the docs tests with -Dsasldb4j.updateManPages=true and commit the result");
        }
    }

    @Test
    void everyOptionOfSaslpasswdIsDocumented() {
        String page = ManPages.render().get("saslpasswd.1");
        for (String option : new String[] {"\\-p", "\\-c", "\\-d", "\\-n", "\\-f", "\\-u", "\\-a", "\\-v", "\\-\\-batch",
            "\\-\\-password\\-file", "\\-\\-password\\-fd", "\\-\\-backend", "\\-\\-schemes", "\\-\\-disable",
            "\\-\\-enable", "\\-\\-remove\\-plaintext", "\\-\\-default\\-realm"}) {
            assertTrue(page.contains(".B " + option) || page.contains(", " + option), option);
        }
        assertTrue(page.contains(".SH EXIT STATUS"));
        assertFalse(page.contains("%n"), "picocli format markers are expanded");
    }

    @Test
    void troffEscapesLeadingDotsAndBackslashes() {
        assertEquals("\\&.hidden", ManPage.esc(".hidden"));
        assertEquals("a\\eb \\-x", ManPage.esc("a\\b -x"));
    }
}
