package org.sasldb4j.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.cli.ExitCodes;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;



class SasldbconvertCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Harness.convert(out, err, args);
    }

    @Test
    void convertsAndReportsAndTheStoreListsLikeCyrus() throws IOException {
        Path target = dir.resolve("new");
        int rc = run(corpus("small.sasldb2").toString(), target.toString());
        assertEquals(0, rc, err.toString());
        String report = out.toString(StandardCharsets.UTF_8);
        assertTrue(report.contains("copied: 9 records, 9 users, 5 realms"), report);
        assertTrue(report.contains("userPassword: 9"), report);
        assertTrue(report.contains("verified"), report);
        List<String> lines = new ArrayList<>();
        try (CredentialStore s = CredentialStore.open(target, StoreOptions.readOnly())) {
            s.forEach(e -> lines.add(e.toString()));
        }
        assertTrue(lines.contains("erin@sales@example.org: userPassword"), lines.toString());
        assertTrue(lines.contains("dave@: userPassword"), lines.toString());
        assertTrue(lines.contains("jürgen.müller@mail.example.net: userPassword"), lines.toString());
        assertEquals(9, lines.size());
    }

    @Test
    void damageFailsWithOneLineAndSalvageExitsTwoListingTheSkippedPage() throws IOException {
        Path source = corpus("small-truncated.sasldb2");
        Path target = dir.resolve("new");
        assertEquals(1, run(source.toString(), target.toString()));
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("sasldbconvert: "), e);
        assertTrue(e.contains("Nothing was written. To copy every record that can still be read, run again with --salvage"), e);
        assertFalse(e.contains("Exception"), e);
        assertFalse(Files.exists(target));

        err.reset();
        assertEquals(ExitCodes.DAMAGED_RECORDS_SKIPPED, run("--salvage", source.toString(), target.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("skipped: "), err.toString());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("copied: 7 records"), out.toString());
    }

    @Test
    void refusesAnExistingTargetAndTheDryRunWritesNothing() throws IOException {
        Path target = dir.resolve("new");
        assertEquals(0, run("--dry-run", corpus("small.sasldb2").toString(), target.toString()));
        assertFalse(Files.exists(target));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("would copy 9 records"), out.toString());
        assertEquals(0, run(corpus("small.sasldb2").toString(), target.toString()));
        err.reset();
        assertEquals(1, run(corpus("small.sasldb2").toString(), target.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--merge"), err.toString());
        assertEquals(0, run("--merge", corpus("small.sasldb2").toString(), target.toString()));
    }

    @Test
    void aMissingSourceIsNamedInOneLineAndNoTargetIsLeftBehind() {
        Path target = dir.resolve("new.lmdb");
        assertEquals(1, run(dir.resolve("nonexistent").toString(), target.toString()));
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("sasldbconvert: source " + dir.resolve("nonexistent") + " does not exist"), e);
        assertFalse(e.contains("new.lmdb"), e);
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(dir.resolve("new.lmdb-lock")));
    }

    @Test
    void unreachableIdsAreCopiedWithAWarningAndExitZero() throws IOException {
        Path source = dump("\0example.org\0userPassword", "x", " hal\0example.org\0userPassword", "y");
        Path target = dir.resolve("new");
        assertEquals(0, run(source.toString(), target.toString()), err.toString());
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, e.lines().filter(l -> l.startsWith("sasldbconvert: warning: ")).count(), e);
        assertTrue(e.contains("\"@example.org\": the user name is empty"), e);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("copied: 2 records"), out.toString());

        err.reset();
        assertEquals(0, run("--drop-unreachable", source.toString(), dir.resolve("other").toString()));
        assertEquals(2, err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("sasldbconvert: dropped: "))
                .count(), err.toString());
    }

    @Test
    void aMergeThatFindsADifferentUserListsItAndWritesNothingThenPreferDecides() throws IOException {
        Path target = dir.resolve("new");
        assertEquals(0, run(dump("alice\0r\0userPassword", "one").toString(), target.toString()));
        Path later = dump("alice\0r\0userPassword", "two", "bob\0r\0userPassword", "b");
        err.reset();
        out.reset();
        assertEquals(1, run("--merge", later.toString(), target.toString()));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.startsWith("sasldbconvert: conflict: \"alice@r\": "), e);
        assertTrue(e.contains("--prefer source"), e);
        assertFalse(e.contains("two") || e.contains("one"), "no value in a message: " + e);
        out.reset();
        assertEquals(0, run("--merge", "--prefer", "source", "-q", later.toString(), target.toString()));
        String o = out.toString(StandardCharsets.UTF_8);
        assertTrue(o.startsWith("replaced \"alice@r\""), o);
        assertTrue(o.contains("added \"bob@r\""), o);
        assertEquals(ExitCodes.USAGE, run("--prefer", "target", later.toString(), dir.resolve("x").toString()), "needs --merge");
    }

    @Test
    void usageErrorsExitOneAsInEveryTool() {
        assertEquals(ExitCodes.USAGE, run("only-one-argument"));
        assertEquals(ExitCodes.USAGE, run("--backend", "bdb", "a", "b"));
    }

    @Test
    void versionPrintsTheProjectVersionFirst() throws IOException {
        assertEquals(ExitCodes.OK, run("--version"), err.toString(StandardCharsets.UTF_8));
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("store/migration"))) {
            root = root.getParent();
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "<artifactId>sasldb4j-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(root.resolve("pom.xml")));
        assertTrue(m.find());
        assertEquals("sasldbconvert " + m.group(1) + "\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownOptionIsOneLineAndTryHelpNotTheUsage() {
        assertEquals(ExitCodes.USAGE, run("--foo", "a", "b"));
        assertEquals("sasldbconvert: unknown option '--foo'; try sasldbconvert --help\n",
                err.toString(StandardCharsets.UTF_8));
        err.reset();
        // Alone, without the operands: still the unknown option, not "missing SOURCE, TARGET".
        assertEquals(ExitCodes.USAGE, run("--foo"));
        assertEquals("sasldbconvert: unknown option '--foo'; try sasldbconvert --help\n",
                err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(ExitCodes.USAGE, run("only-one-argument"));
        assertEquals(1, err.toString(StandardCharsets.UTF_8).lines().count(), err.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).endsWith("; try sasldbconvert --help\n"));
    }

    private int dumps;

    /** A db_dump text of key/value pairs (keys written with Java NUL escapes between the parts). */
    private Path dump(String... keysAndValues) throws IOException {
        java.util.HexFormat hex = java.util.HexFormat.of();
        StringBuilder sb = new StringBuilder("VERSION=3\nformat=bytevalue\ntype=hash\nHEADER=END\n");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            sb.append(' ').append(hex.formatHex(keysAndValues[i].getBytes(StandardCharsets.UTF_8)))
                    .append("\n ").append(hex.formatHex(keysAndValues[i + 1].getBytes(StandardCharsets.UTF_8)))
                    .append('\n');
        }
        Path p = dir.resolve("dump" + (++dumps));
        Files.writeString(p, sb.append("DATA=END\n").toString());
        return p;
    }

    private Path corpus(String name) throws IOException {
        Path p = dir.resolve("src-" + name);
        if (Files.exists(p)) {
            return p;
        }
        try (InputStream in = getClass().getResourceAsStream("/corpus/" + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    @Test
    void aPasswordInAServerAddressIsRefusedOnEitherSide() throws IOException {
        String withPassword = "postgresql://admin:s3cret@127.0.0.1:1/mail";
        Path target = dir.resolve("new");
        for (String[] args : List.of(new String[] {corpus("small.sasldb2").toString(), withPassword},
                new String[] {withPassword, target.toString()},
                new String[] {"--merge", withPassword, target.toString()})) {
            out.reset();
            err.reset();
            assertEquals(ExitCodes.USAGE, run(args), err.toString());
            String e = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, e.lines().count(), e);
            assertTrue(e.contains("refusing a password in the store address") && e.contains("PGPASSWORD"), e);
            assertFalse(e.contains("s3cret"), e);
        }
        assertFalse(Files.exists(target));
    }
}
