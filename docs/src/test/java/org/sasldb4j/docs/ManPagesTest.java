package org.sasldb4j.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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
        String page = ManPages.render().get("saslpasswd.8");
        for (String option : new String[] {"\\-p", "\\-c", "\\-d", "\\-n", "\\-f", "\\-u", "\\-a", "\\-v", "\\-\\-batch",
            "\\-\\-password\\-file", "\\-\\-password\\-fd", "\\-\\-backend", "\\-\\-schemes", "\\-\\-disable",
            "\\-\\-enable", "\\-\\-remove\\-plaintext", "\\-\\-default\\-realm"}) {
            assertTrue(page.contains(".B " + option) || page.contains(", " + option), option);
        }
        assertTrue(page.contains(".SH EXIT STATUS"));
        assertFalse(page.contains("%n"), "picocli format markers are expanded");
    }

    @Test
    void theDaemonsPageDocumentsTestLoginWithItsExitStatuses() {
        String page = ManPages.render().get("sasldb-authd.8");
        assertTrue(page.contains("\n.SH COMMANDS\n.SS test\\-login\n"), "a COMMANDS section with test-login");
        String section = page.substring(page.indexOf(".SS test\\-login"), page.indexOf(".SH EXIT STATUS"));
        for (String item : new String[] {".B \\-\\-socket PATH", ".B \\-f, \\-\\-store sasldb",
            ".B \\-m, \\-\\-mechanism MECHANISM", ".B \\-\\-password\\-file FILE", ".B \\-\\-password\\-fd N",
            ".I USER", ".B 64\n", ".B 69\n", ".B 75\n"}) {
            assertTrue(section.contains(item), item);
        }
    }

    @Test
    void everyPageIsSectionEightWithTheSectionsAnAdministratorLooksFor() {
        Map<String, String> pages = ManPages.render();
        assertEquals(List.of("saslpasswd.8", "sasldblistusers.8", "sasldbconvert.8", "sasldb-authd.8"),
                List.copyOf(pages.keySet()));
        for (Map.Entry<String, String> p : pages.entrySet()) {
            String tool = p.getKey().substring(0, p.getKey().length() - 2);
            String page = p.getValue();
            assertTrue(page.contains("\n.TH " + tool.toUpperCase(Locale.ROOT) + " 8 "), tool + ": .TH in section 8");
            List<String> sections = page.lines().filter(l -> l.startsWith(".SH ")).map(l -> l.substring(4)).toList();
            for (String required : List.of("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "FILES",
                    "SEE ALSO")) {
                assertTrue(sections.contains(required), tool + " has no " + required + " section: " + sections);
            }
            for (String other : List.of("saslpasswd", "sasldblistusers", "sasldbconvert", "sasldb\\-authd")) {
                if (!other.replace("\\", "").equals(tool)) {
                    assertTrue(section(page, "SEE ALSO").contains(other + "(8)"), tool + " refers to " + other + "(8)");
                }
            }
            for (String any : List.of("saslpasswd", "sasldblistusers", "sasldbconvert", "sasldb\\-authd")) {
                assertFalse(page.contains(any + "(1)"), tool + " names " + any + " in section 1");
            }
        }
    }

    @Test
    void filesAreAbsolutePathsAndNoPageSendsTheReaderIntoACheckout() {
        for (Map.Entry<String, String> p : ManPages.render().entrySet()) {
            String files = section(p.getValue(), "FILES");
            List<String> items = files.lines().filter(l -> l.startsWith(".I ")).toList();
            assertFalse(items.isEmpty(), p.getKey() + " lists files");
            for (String item : items) {
                assertTrue(item.startsWith(".I /"), p.getKey() + ": " + item + " is an absolute path");
            }
            assertTrue(files.contains("/etc/sasldb2") || files.contains("/etc/sasldb2\\-lock"), p.getKey());
            assertFalse(p.getValue().matches("(?s).*(?<![\\w/])docs/.*"), p.getKey() + " names a checkout's docs/");
        }
        String authd = ManPages.render().get("sasldb-authd.8");
        for (String path : new String[] {"/etc/sasldb4j/sasldb\\-authd.conf", "/lib/systemd/system/sasldb\\-authd.service",
            "/var/spool/postfix/sasldb4j/auth", "/var/lib/sasldb4j/salt\\-key", "/var/cache/sasldb4j"}) {
            assertTrue(section(authd, "FILES").contains(".I " + path), path);
        }
        assertTrue(section(authd, "EXIT STATUS").contains("\\-\\-check\\-config"), "--check-config's statuses");
    }

    @Test
    void aFilesItemThatIsNotAnAbsolutePathIsRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ManPage.render(
                new picocli.CommandLine(picocli.CommandLine.Model.CommandSpec.create().name("x")), "x", ManPages.DATE, List.<String[]>of(new String[] {ManPage.FILES,
                    "docs/x.conf: relative"})));
    }

    /** The body of section {@code heading}, up to the next {@code .SH}. */
    private static String section(String page, String heading) {
        int start = page.indexOf("\n.SH " + heading + "\n");
        assertTrue(start >= 0, heading);
        int end = page.indexOf("\n.SH ", start + 1);
        return page.substring(start, end < 0 ? page.length() : end);
    }

    @Test
    void troffEscapesLeadingDotsAndBackslashes() {
        assertEquals("\\&.hidden", ManPage.esc(".hidden"));
        assertEquals("a\\eb \\-x", ManPage.esc("a\\b -x"));
    }
}
