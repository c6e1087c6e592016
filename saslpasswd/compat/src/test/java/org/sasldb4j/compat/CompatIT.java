package org.sasldb4j.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The side-by-side comparison with the real Cyrus tools: every case of
 * {@code src/test/resources/compat/cases.txt} is a container of tests, one per check label (plus
 * "docs row" for a deliberate difference). The first check of a case runs it; the others read
 * its outcome. {@code -Dcompat.case=REGEX} runs only the cases whose names match (see
 * docs/compatibility.md).
 */
class CompatIT {

    private static Path scratch;

    @BeforeAll
    static void scratch() throws IOException {
        scratch = Files.createTempDirectory("sasldb4j-compat-");
    }

    @AfterAll
    static void removeScratch() throws IOException {
        if (!Boolean.getBoolean("compat.keep")) {
            try (Stream<Path> files = Files.walk(scratch)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicNode> cases() {
        List<CompatCase> all = CaseFile.load("/compat/cases.txt");
        String filter = System.getProperty("compat.case", "");
        List<CompatCase> chosen = new ArrayList<>();
        for (CompatCase c : all) {
            if (filter.isEmpty() || Pattern.compile(filter).matcher(c.name).matches()) {
                chosen.add(c);
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("-Dcompat.case=" + filter + " matches no case of cases.txt");
        }
        return chosen.stream().map(CompatIT::container);
    }

    private static DynamicContainer container(CompatCase c) {
        Run run = new Run(c);
        List<DynamicNode> tests = new ArrayList<>();
        Map<String, List<CompatCase.Check>> groups = c.checksByLabel();
        run.remaining.set(groups.size());
        if (c.docs != null) {
            tests.add(DynamicTest.dynamicTest("docs row: " + c.docs, () -> Checks.docsRow(c)));
        }
        groups.forEach((label, checks) -> tests.add(DynamicTest.dynamicTest(label, () -> {
            try {
                Scenario sc = run.scenario();
                for (CompatCase.Check k : checks) {
                    try {
                        Checks.verify(sc, k);
                    } catch (AssertionError e) {
                        AssertionError located = new AssertionError("case " + c.name + " (" + c.kind.word + "), cases.txt line "
                                + k.line() + " [" + k.assertion() + "]: " + e.getMessage());
                        located.setStackTrace(new StackTraceElement[0]);
                        throw located;
                    }
                }
            } finally {
                run.checked();
            }
        })));
        return DynamicContainer.dynamicContainer(c.name + " [" + c.kind.word + "]", tests.stream());
    }

    /** A case's one run, shared by its checks; the scratch directory goes after the last check. */
    private static final class Run {
        final CompatCase c;
        final AtomicInteger remaining = new AtomicInteger();
        Scenario scenario;
        Throwable failure;

        Run(CompatCase c) {
            this.c = c;
        }

        synchronized Scenario scenario() throws Throwable {
            if (failure != null) {
                throw new AssertionError("case " + c.name + " did not run: " + failure.getMessage(), failure);
            }
            if (scenario == null) {
                Scenario sc = new Scenario(c, scratch);
                try {
                    sc.run();
                } catch (Throwable t) {
                    failure = t;
                    throw t;
                }
                scenario = sc;
            }
            return scenario;
        }

        void checked() {
            if (remaining.decrementAndGet() == 0 && scenario != null) {
                scenario.delete();
            }
        }
    }
}
