package org.sasldb4j.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository stands alone: the facts the code follows (Cyrus, Dovecot, saslauthd, Postfix) are
 * written in {@code docs/reference/} and cited from there, so no source, script or document may
 * point to a file outside the repository, and every {@code docs/<file>.md §N} citation and every link
 * between documents must lead to an existing file and section.
 */
class RepositoryStandsAloneTest {
    private static final Path ROOT = RepositoryText.findRoot();
    private final RepositoryText repo = new RepositoryText(ROOT);

    @Test
    void nothingPointsOutsideTheRepository() {
        assertNoFindings("references outside the repository", "write the fact into docs/reference/ (see its README.md) and cite it",
                repo::outsideReferences, repo.textFiles());
    }

    @Test
    void everyCitedDocumentAndSectionExists() {
        assertNoFindings("citations of missing docs or sections", "cite a file and section that exist (section numbers are stable)",
                repo::citations, repo.textFiles());
    }

    @Test
    void everyLinkBetweenDocumentsResolves() {
        List<Path> markdown = repo.textFiles().stream().filter(p -> p.toString().endsWith(".md")).toList();
        assertNoFindings("broken links", "anchors are GitHub's: the heading lowercased, punctuation dropped, spaces to hyphens",
                repo::links, markdown);
    }

    @Test
    void theReferenceDocumentsAreFound() {
        List<Path> files = repo.textFiles();
        for (String doc : new String[] {"cyrus-sasldb.md", "protocols.md", "postfix.md", "baselines.md"}) {
            assertTrue(files.contains(ROOT.resolve("docs/reference").resolve(doc)), doc + " is scanned");
        }
        assertTrue(files.stream().anyMatch(p -> p.toString().endsWith(".java")), "sources are scanned");
        assertTrue(files.stream().anyMatch(p -> p.toString().endsWith(".sh")), "scripts are scanned");
        for (Path f : files) {
            for (Path part : ROOT.relativize(f)) {
                assertTrue(!part.toString().startsWith("target"), "build output is not scanned: " + f);
            }
        }
    }

    /** The checks can fail: each kind of bad reference, written into a made-up repository, is found. */
    @Test
    void eachKindOfBadReferenceIsFound(@TempDir Path root) throws IOException {
        write(root, "docs/reference/README.md", "# Reference\n");
        write(root, "docs/reference/facts.md", "# Facts\n\n## 1. Keys\n\n### 1.2 Values\n\n## 14. Defects\n\n"
                + "| # | Defect |\n|---|---|\n| D6 | realms |\n\n```\n## 9. not a heading\n```\n");
        Path code = write(root, "src/Code.java", String.join("\n",
                "/** Fine: docs/reference/facts.md §1.2, and docs/reference/facts.md §1, §14 D6. */",
                "/** Layout (docs/reference/facts.md",
                " * §1.2, §2). */",
                "// docs/reference/facts.md §9 is inside a code block, docs/reference/facts.md §14 D7 has no row",
                "// docs/reference/gone.md, other/project:docs/their.md",
                "// /work/" + "shared/spec/x.md, ../" + "shared/corpus, spec" + " §5.7, as the " + "spec says",
                "// cyrus-sasldb" + ".md §2.2 and protocols" + ".md, but facts.md is a file name only",
                ""));
        RepositoryText text = new RepositoryText(root);

        assertEquals(List.of(
                "src/Code.java:6: a path outside the repository: /work/" + "shared",
                "src/Code.java:6: a path outside the repository: ../" + "shared",
                "src/Code.java:6: cites the outside specification (\"spec" + " §\"): cite docs/reference/<file>.md §N",
                "src/Code.java:6: cites the outside specification (\"the " + "spec\"): cite docs/reference/<file>.md §N",
                "src/Code.java:7: names cyrus-sasldb" + ".md, which is not beside this file: cite docs/reference/"
                        + "cyrus-sasldb" + ".md",
                "src/Code.java:7: names protocols" + ".md, which is not beside this file: cite docs/reference/"
                        + "protocols" + ".md"),
                strings(text.outsideReferences(code, Files.readString(code))));
        assertEquals(List.of(
                "src/Code.java:2: cites docs/reference/facts.md §2, which has no such section",
                "src/Code.java:4: cites docs/reference/facts.md §9, which has no such section",
                "src/Code.java:4: cites docs/reference/facts.md §14 D7, which has no row for D7",
                "src/Code.java:5: names docs/reference/gone.md, which does not exist"),
                strings(text.citations(code, Files.readString(code))));

        Path doc = write(root, "docs/guide.md", "See [keys](reference/facts.md#1-keys), [values](reference/facts.md#12-values),"
                + " [the web](https://example.org/x.md#y).\n"
                + "Broken: [a](reference/facts.md#9-not-a-heading), [b](reference/missing.md), [c](#nowhere).\n");
        assertEquals(List.of(
                "docs/guide.md:2: links to reference/facts.md#9-not-a-heading, which has no such heading",
                "docs/guide.md:2: links to reference/missing.md, which does not exist",
                "docs/guide.md:2: links to #nowhere, which has no such heading"),
                strings(text.links(doc, Files.readString(doc))));
    }

    private void assertNoFindings(String what, String hint,
            BiFunction<Path, String, List<RepositoryText.Finding>> check, List<Path> files) {
        List<RepositoryText.Finding> found = new ArrayList<>();
        for (Path f : files) {
            found.addAll(check.apply(f, repo.read(f)));
        }
        assertTrue(found.isEmpty(), found.size() + " " + what + " (" + hint + "):\n"
                + found.stream().map(Object::toString).collect(Collectors.joining("\n")));
    }

    private static List<String> strings(List<RepositoryText.Finding> findings) {
        return findings.stream().map(Object::toString).toList();
    }

    private static Path write(Path root, String name, String text) throws IOException {
        Path file = root.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
