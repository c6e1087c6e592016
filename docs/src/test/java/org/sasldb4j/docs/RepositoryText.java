package org.sasldb4j.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the repository's sources, scripts and documents and finds the references in them that lead
 * outside the repository or nowhere: paths and names of files that are not in it, citations
 * {@code docs/<file>.md §N} of a missing file or section, and links between documents that do not
 * resolve. Used by {@link RepositoryStandsAloneTest}; each check takes one file's text, so it can be
 * tried on made-up text too.
 */
final class RepositoryText {
    /** One problem: where it is and what is wrong. */
    record Finding(String where, int line, String problem) {
        @Override
        public String toString() {
            return where + ":" + line + ": " + problem;
        }
    }

    /** This test's own sources: they hold, as data, the very patterns they look for. */
    private static final Set<String> SELF = Set.of("RepositoryText.java", "RepositoryStandsAloneTest.java");
    private static final Set<String> TEXT_EXTENSIONS = Set.of("java", "sh", "bash", "py", "md", "xml", "c", "h",
            "txt", "1", "service", "yml", "yaml", "properties", "conf");
    private static final Set<String> SKIPPED_DIRECTORIES = Set.of(".git", ".idea", ".cache", "node_modules");

    private static final Pattern OUTSIDE_PATH =
            Pattern.compile("/work/shared|\\.\\./shared\\b|\\bshared/(?:spec|corpus)\\b");
    private static final Pattern OUTSIDE_SPEC =
            Pattern.compile("\\bspec(?:'s)?\\s*(?:§|\\d)|\\bthe spec\\b|\\bcompatibility specification\\b");
    /** The outside specification's files, named without a path that could lead to a copy here. */
    private static final Pattern SPEC_FILE_NAME =
            Pattern.compile("(?<![\\w/.-])((?:cyrus-sasldb|protocols|baselines|postfix-interop|design)\\.md)\\b");
    /** A path of this repository's docs; {@code owner/name:docs/...} is another project's. */
    private static final Pattern DOCS_PATH = Pattern.compile("(?<![\\w/.:-])(docs/[\\w./-]*?\\.md)\\b");
    private static final Pattern FIRST_SECTION =
            Pattern.compile("[ \\t]*(?:\\r?\\n[ \\t]*(?:\\*|//|#)?[ \\t]*)?§\\s*(\\d+(?:\\.\\d+)*)(?:\\s+(D\\d+)\\b)?");
    private static final Pattern MORE_SECTIONS = Pattern.compile(
            "\\s*(?:,|and|, and)[ \\t]*(?:\\r?\\n[ \\t]*(?:\\*|//|#)?[ \\t]*)?§\\s*(\\d+(?:\\.\\d+)*)(?:\\s+(D\\d+)\\b)?");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern NUMBERED = Pattern.compile("^(\\d+(?:\\.\\d+)*)\\.?(?:\\s|$)");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    private final Path root;
    private final Map<Path, Headings> headings = new HashMap<>();

    RepositoryText(Path root) {
        this.root = root;
    }

    /**
     * The repository's root: the nearest directory, from the working directory up, holding
     * {@code docs/reference/README.md} (Surefire runs in the docs module's directory).
     */
    static Path findRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("docs/reference/README.md"))) {
                return d;
            }
        }
        throw new IllegalStateException("no repository root (a directory with docs/reference/README.md) above " + dir);
    }

    /** Every source, script and document under the root, build output ({@code target*}) excluded. */
    List<Path> textFiles() {
        List<Path> files = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                    boolean skip = !dir.equals(root) && (SKIPPED_DIRECTORIES.contains(name) || name.startsWith("target"));
                    return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile() && isText(file) && !SELF.contains(file.getFileName().toString())) {
                        files.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.sort(null);
        return files;
    }

    private static boolean isText(Path file) throws IOException {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            return TEXT_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
        }
        try (var in = Files.newInputStream(file)) { // scripts without an extension (bin/*, .ci/run)
            byte[] start = in.readNBytes(2);
            return start.length == 2 && start[0] == '#' && start[1] == '!';
        }
    }

    /** The file's text; bytes that are not UTF-8 (test data) become U+FFFD, so a reference beside them is still found. */
    String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Paths and file names that lead outside the repository, and mentions of the outside specification. */
    List<Finding> outsideReferences(Path file, String text) {
        List<Finding> found = new ArrayList<>();
        report(found, file, text, OUTSIDE_PATH, m -> "a path outside the repository: " + m.group());
        report(found, file, text, OUTSIDE_SPEC,
                m -> "cites the outside specification (\"" + m.group().trim() + "\"): cite docs/reference/<file>.md §N");
        Matcher m = SPEC_FILE_NAME.matcher(text);
        while (m.find()) {
            if (!Files.isRegularFile(file.getParent().resolve(m.group(1)))) {
                found.add(finding(file, text, m.start(),
                        "names " + m.group(1) + ", which is not beside this file: cite docs/reference/" + m.group(1)));
            }
        }
        return found;
    }

    private void report(List<Finding> found, Path file, String text, Pattern p,
            java.util.function.Function<Matcher, String> problem) {
        Matcher m = p.matcher(text);
        while (m.find()) {
            found.add(finding(file, text, m.start(), problem.apply(m)));
        }
    }

    /** Each {@code docs/<file>.md} named must exist; each {@code §N} (and {@code §N Dn}) cited after it too. */
    List<Finding> citations(Path file, String text) {
        List<Finding> found = new ArrayList<>();
        Matcher m = DOCS_PATH.matcher(text);
        while (m.find()) {
            Path doc = root.resolve(m.group(1)).normalize();
            if (!doc.startsWith(root) || !Files.isRegularFile(doc)) {
                found.add(finding(file, text, m.start(), "names " + m.group(1) + ", which does not exist"));
                continue;
            }
            Matcher s = FIRST_SECTION.matcher(text).region(m.end(), text.length());
            while (s.lookingAt()) {
                String missing = headingsOf(doc).missing(s.group(1), s.group(2));
                if (missing != null) {
                    found.add(finding(file, text, m.start(), "cites " + m.group(1) + " " + missing));
                }
                s = MORE_SECTIONS.matcher(text).region(s.end(), text.length());
            }
        }
        return found;
    }

    /** Each relative link of a Markdown document leads to an existing file, and its {@code #anchor} to a heading. */
    List<Finding> links(Path file, String text) {
        List<Finding> found = new ArrayList<>();
        Matcher m = LINK.matcher(text);
        while (m.find()) {
            String target = m.group(1);
            if (target.matches("(?i)[a-z][a-z0-9+.-]*:.*")) {
                continue; // https:, mailto: ...
            }
            int hash = target.indexOf('#');
            String path = hash < 0 ? target : target.substring(0, hash);
            Path dest = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
            if (!Files.exists(dest)) {
                found.add(finding(file, text, m.start(), "links to " + target + ", which does not exist"));
            } else if (hash >= 0 && dest.toString().endsWith(".md")
                    && !headingsOf(dest).anchors.contains(target.substring(hash + 1))) {
                found.add(finding(file, text, m.start(), "links to " + target + ", which has no such heading"));
            }
        }
        return found;
    }

    private Headings headingsOf(Path doc) {
        return headings.computeIfAbsent(doc, d -> Headings.of(read(d)));
    }

    private Finding finding(Path file, String text, int offset, String problem) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return new Finding(root.relativize(file).toString(), line, problem);
    }

    /** The headings of one Markdown document: their section numbers and their anchors. */
    private record Headings(Set<String> numbers, Set<String> anchors, String text) {
        static Headings of(String text) {
            Set<String> numbers = new HashSet<>();
            Set<String> anchors = new HashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            boolean fenced = false;
            for (String line : text.split("\n", -1)) {
                if (line.startsWith("```")) {
                    fenced = !fenced;
                }
                Matcher h = HEADING.matcher(line);
                if (fenced || !h.matches()) {
                    continue;
                }
                Matcher n = NUMBERED.matcher(h.group(2));
                if (n.find()) {
                    numbers.add(n.group(1));
                }
                String slug = slug(h.group(2));
                int count = seen.merge(slug, 1, Integer::sum);
                anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
            }
            return new Headings(numbers, anchors, text);
        }

        /** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens. */
        static String slug(String heading) {
            return heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
        }

        /** Null if section {@code number} (and defect {@code defect}, if given) exists, else what is missing. */
        String missing(String number, String defect) {
            if (!numbers.contains(number)) {
                return "§" + number + ", which has no such section";
            }
            if (defect != null && !text.contains("| " + defect + " |")) {
                return "§" + number + " " + defect + ", which has no row for " + defect;
            }
            return null;
        }
    }
}
