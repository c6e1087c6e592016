package org.sasldb4j.compat;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The assertions a case may make about its outcome (the vocabulary of {@code check} lines in
 * cases.txt). Comparisons are byte for byte on normalised outputs; regular expressions see one
 * char per byte.
 */
final class Checks {

    private static final Set<String> KNOWN = Set.of(
            "same", "same-notices", "same-rc", "same-stdout", "same-stderr", "same-stdout-sorted", "same-stderr-head",
            "rc", "stdout", "stderr", "stdout-empty", "stderr-empty", "stdout-nonempty", "stdout-lines", "stderr-lines",
            "stdout-has-line", "stderr-last", "stderr-line", "stderr-one-line", "stderr-has", "stderr-contains", "fails",
            "unchanged", "exists", "absent", "empty-file", "value", "dumps-equal", "dump-p-line", "props", "key-order",
            "lmdb-layout", "mode-same");

    /** Our deliberate notes on stderr (the realm taken from the host name, ids no login reaches). */
    private static final Pattern NOTICE = Pattern.compile("(saslpasswd|sasldblistusers): (note|warning): .*");

    private Checks() {
    }

    static boolean known(String assertion) {
        return KNOWN.contains(assertion);
    }

    static void verify(Scenario sc, CompatCase.Check k) throws Exception {
        List<Word> a = k.args();
        switch (k.assertion()) {
            case "same" -> {
                same(sc, "exit code", rcBytes(sc, Side.CYRUS), rcBytes(sc, Side.OURS));
                same(sc, "stdout", out(sc, Side.CYRUS), out(sc, Side.OURS));
                same(sc, "stderr", err(sc, Side.CYRUS), err(sc, Side.OURS));
            }
            case "same-notices" -> {
                same(sc, "exit code", rcBytes(sc, Side.CYRUS), rcBytes(sc, Side.OURS));
                same(sc, "stdout", out(sc, Side.CYRUS), out(sc, Side.OURS));
                List<byte[]> kept = new ArrayList<>();
                for (byte[] line : Bytes.lines(err(sc, Side.OURS))) {
                    if (!NOTICE.matcher(new String(line, ISO_8859_1)).matches()) {
                        kept.add(line);
                    }
                }
                same(sc, "stderr (ours without its notes)", joinLines(Bytes.lines(err(sc, Side.CYRUS))), joinLines(kept));
            }
            case "same-rc" -> same(sc, "exit code", rcBytes(sc, Side.CYRUS), rcBytes(sc, Side.OURS));
            case "same-stdout" -> same(sc, "stdout", out(sc, Side.CYRUS), out(sc, Side.OURS));
            case "same-stderr" -> same(sc, "stderr", err(sc, Side.CYRUS), err(sc, Side.OURS));
            case "same-stdout-sorted" -> same(sc, "stdout (lines sorted)", sorted(out(sc, Side.CYRUS)), sorted(out(sc, Side.OURS)));
            case "same-stderr-head" -> {
                int n = Integer.parseInt(a.get(0).text());
                same(sc, "first " + n + " stderr lines", head(err(sc, Side.CYRUS), n), head(err(sc, Side.OURS), n));
            }
            case "rc" -> rc(sc, side(a), a.get(1).text());
            case "stdout" -> equal(sc, side(a) + " stdout", CaseFile.content(a.subList(1, a.size()), k.line()), out(sc, side(a)));
            case "stderr" -> equal(sc, side(a) + " stderr", CaseFile.content(a.subList(1, a.size()), k.line()), err(sc, side(a)));
            case "stdout-empty" -> equal(sc, side(a) + " stdout", new byte[0], out(sc, side(a)));
            case "stderr-empty" -> equal(sc, side(a) + " stderr", new byte[0], err(sc, side(a)));
            case "stdout-nonempty" -> that(sc, out(sc, side(a)).length > 0, side(a) + " stdout is empty");
            case "stdout-lines" -> count(sc, side(a) + " stdout lines", a.get(1).text(), Bytes.lines(out(sc, side(a))).size());
            case "stderr-lines" -> count(sc, side(a) + " stderr lines", a.get(1).text(), Bytes.lines(err(sc, side(a))).size());
            case "stdout-has-line" -> that(sc, Bytes.lines(out(sc, side(a))).stream().anyMatch(l -> Arrays.equals(l, a.get(1).bytes())),
                    side(a) + " stdout has no line " + a.get(1) + ": " + Bytes.show(out(sc, side(a))));
            case "stderr-last" -> {
                List<byte[]> lines = Bytes.lines(err(sc, side(a)));
                equal(sc, side(a) + " last stderr line", a.get(1).bytes(), lines.isEmpty() ? new byte[0] : lines.get(lines.size() - 1));
            }
            case "stderr-line" -> {
                int n = Integer.parseInt(a.get(1).text());
                List<byte[]> lines = Bytes.lines(err(sc, side(a)));
                that(sc, lines.size() >= n && matches(a.get(2), lines.get(n - 1)),
                        side(a) + " stderr line " + n + " does not match /" + a.get(2).text() + "/: " + Bytes.show(err(sc, side(a))));
            }
            case "stderr-one-line" -> {
                List<byte[]> lines = Bytes.lines(err(sc, side(a)));
                that(sc, lines.size() == 1 && matches(a.get(1), lines.get(0)),
                        side(a) + " stderr is not one line matching /" + a.get(1).text() + "/: " + Bytes.show(err(sc, side(a))));
            }
            case "stderr-has" -> that(sc, Bytes.lines(err(sc, side(a))).stream().anyMatch(l -> finds(a.get(1), l)),
                    side(a) + " stderr has no line matching /" + a.get(1).text() + "/: " + Bytes.show(err(sc, side(a))));
            case "stderr-contains" -> that(sc, new String(err(sc, side(a)), ISO_8859_1).contains(a.get(1).text()),
                    side(a) + " stderr does not contain " + a.get(1) + ": " + Bytes.show(err(sc, side(a))));
            case "fails" -> fails(sc, side(a), a.get(1).text(), a.get(2));
            case "unchanged" -> {
                Path p = sc.file(side(a), a.get(1).text());
                that(sc, Files.exists(p) && Scenario.sha256(p).equals(sc.before.get(p)), "the refused file " + p + " was changed");
            }
            case "exists" -> that(sc, Files.exists(sc.file(side(a), a.get(1).text())), side(a) + " has no " + a.get(1).text());
            case "absent" -> that(sc, !Files.exists(sc.file(side(a), a.get(1).text())), side(a) + " left " + a.get(1).text() + " behind");
            case "empty-file" -> {
                Path p = sc.file(side(a), a.get(1).text());
                that(sc, Files.isRegularFile(p) && Files.size(p) == 0, p + " is no longer an empty file");
            }
            case "value" -> value(sc, side(a), a.get(1).text(), a.get(2).bytes(), a.subList(3, a.size()), k.line());
            case "dumps-equal" -> {
                TreeMap<String, String> cyrus = dump(sc, Side.CYRUS, a.get(0).text());
                TreeMap<String, String> ours = dump(sc, Side.OURS, a.get(1).text());
                that(sc, !cyrus.isEmpty(), "the Cyrus store " + a.get(0).text() + " holds no record");
                equal(sc, "records (hex key -> hex value; Cyrus db5.3_dump vs our mdb_dump -n)",
                        readable(cyrus).getBytes(ISO_8859_1), readable(ours).getBytes(ISO_8859_1));
            }
            case "dump-p-line" -> {
                byte[] p = printableDump(sc, side(a), a.get(1).text());
                that(sc, Bytes.lines(p).stream().anyMatch(l -> Arrays.equals(l, a.get(2).bytes())),
                        side(a) + " -p dump of " + a.get(1).text() + " has no line " + a.get(2) + ": " + Bytes.show(p));
            }
            case "props" -> props(sc, side(a), a);
            case "key-order" -> keyOrder(sc, side(a), a.get(1).text());
            case "lmdb-layout" -> lmdbLayout(sc, sc.file(side(a), a.get(1).text()));
            case "mode-same" -> {
                String name = a.get(0).text();
                String cy = mode(sc.file(Side.CYRUS, name));
                String ours = mode(sc.file(Side.OURS, name));
                String lock = mode(sc.file(Side.OURS, name + "-lock"));
                that(sc, cy.equals(ours) && ours.equals(lock),
                        "file modes under umask 022: cyrus " + cy + ", ours " + ours + ", our lock file " + lock);
            }
            default -> throw new IllegalStateException(k.assertion());
        }
    }

    private static Side side(List<Word> a) {
        Side s = a.isEmpty() ? null : Side.of(a.get(0).text());
        if (s == null) {
            throw new IllegalArgumentException("the assertion needs a side (cyrus or ours) first");
        }
        return s;
    }

    private static Scenario.Outcome outcome(Scenario sc, Side s) {
        Scenario.Outcome o = sc.outcomes.get(s);
        if (o == null) {
            throw new AssertionError("the case runs nothing on the " + s.word() + " side");
        }
        return o;
    }

    private static byte[] out(Scenario sc, Side s) {
        return outcome(sc, s).stdout();
    }

    private static byte[] err(Scenario sc, Side s) {
        return outcome(sc, s).stderr();
    }

    private static byte[] rcBytes(Scenario sc, Side s) {
        Scenario.Outcome o = outcome(sc, s);
        return (o.timedOut() ? "timeout" : String.valueOf(o.rc())).getBytes(ISO_8859_1);
    }

    private static void rc(Scenario sc, Side s, String want) {
        Scenario.Outcome o = outcome(sc, s);
        boolean ok = switch (want) {
            case "timeout" -> o.timedOut();
            case "nonzero" -> !o.timedOut() && o.rc() != 0;
            default -> !o.timedOut() && o.rc() == Integer.parseInt(want);
        };
        that(sc, ok, s.word() + " exit code " + (o.timedOut() ? "(still running at the timeout)" : o.rc()) + ", expected " + want
                + "; stderr " + Bytes.show(o.stderr()));
    }

    /** Refused as a user error: the exit code, exactly one stderr line (matching), nothing on stdout. */
    private static void fails(Scenario sc, Side s, String want, Word regex) {
        rc(sc, s, want);
        List<byte[]> lines = Bytes.lines(err(sc, s));
        that(sc, lines.size() == 1 && finds(regex, lines.get(0)),
                s.word() + " stderr is not one line matching /" + regex.text() + "/: " + Bytes.show(err(sc, s)));
        equal(sc, s.word() + " stdout", new byte[0], out(sc, s));
    }

    private static void value(Scenario sc, Side s, String store, byte[] key, List<Word> want, int line) throws Exception {
        TreeMap<String, String> records = dump(sc, s, store);
        String got = records.get(HexFormat.of().formatHex(key));
        if (want.size() == 1 && want.get(0).is("absent")) {
            that(sc, got == null, s.word() + " stored a value for " + Bytes.show(key) + ": " + got);
            return;
        }
        that(sc, got != null, s.word() + " " + store + " has no record " + Bytes.show(key));
        equal(sc, s.word() + " value of " + Bytes.show(key), CaseFile.content(want, line), HexFormat.of().parseHex(got));
    }

    private static void props(Scenario sc, Side s, List<Word> a) throws Exception {
        String user = a.get(2).text();
        String realm = a.get(3).text();
        TreeSet<String> want = new TreeSet<>();
        a.subList(4, a.size()).forEach(w -> want.add(w.text()));
        TreeSet<String> got = new TreeSet<>();
        for (String hexKey : dump(sc, s, a.get(1).text()).keySet()) {
            String[] parts = new String(HexFormat.of().parseHex(hexKey), ISO_8859_1).split("\0", -1);
            if (parts.length == 3 && parts[0].equals(user) && parts[1].equals(realm)) {
                got.add(parts[2]);
            }
        }
        that(sc, want.equals(got), s.word() + " records of " + user + "@" + realm + ": " + got + ", expected " + want);
    }

    /** Our listing is in the store's key order (bytewise, as LMDB keeps it), one line per record. */
    private static void keyOrder(Scenario sc, Side s, String store) throws Exception {
        StringBuilder want = new StringBuilder();
        for (String hexKey : dump(sc, s, store).keySet()) {
            String[] parts = new String(HexFormat.of().parseHex(hexKey), ISO_8859_1).split("\0", -1);
            if (parts.length == 3) {
                want.append(parts[0]).append('@').append(parts[1]).append(": ").append(parts[2]).append('\n');
            }
        }
        that(sc, want.length() > 0, "the store " + store + " holds no record");
        equal(sc, s.word() + " listing in key order", want.toString().getBytes(ISO_8859_1), out(sc, s));
    }

    private static void lmdbLayout(Scenario sc, Path store) throws Exception {
        // before any mdb_dump: mdb_dump itself creates a missing lock file
        that(sc, Files.isRegularFile(store), store + " is not one data file (MDB_NOSUBDIR)");
        that(sc, Files.isRegularFile(Path.of(store + "-lock")), "no lock file " + store + "-lock");
        String sub = new String(sc.probe(List.of("mdb_dump", "-n", "-l", store.toString()), true), ISO_8859_1);
        that(sc, sub.isBlank() || sub.contains("does not contain multiple databases"),
                store + " has named sub-databases: " + sub.strip());
    }

    /** The records of a side's store: Cyrus's by db5.3_dump, ours by mdb_dump -n; none if the file does not exist. */
    private static TreeMap<String, String> dump(Scenario sc, Side s, String store) throws Exception {
        Path p = sc.file(s, store);
        TreeMap<String, String> records = new TreeMap<>();
        if (!Files.exists(p)) {
            return records;
        }
        byte[] text = sc.probe(s == Side.CYRUS ? List.of("db5.3_dump", p.toString()) : List.of("mdb_dump", "-n", p.toString()), false);
        List<String> lines = new ArrayList<>();
        for (byte[] l : Bytes.lines(text)) {
            lines.add(new String(l, ISO_8859_1));
        }
        int i = lines.indexOf("HEADER=END") + 1;
        while (i > 0 && i + 1 < lines.size() && !lines.get(i).equals("DATA=END")) {
            records.put(lines.get(i).strip(), lines.get(i + 1).strip());
            i += 2;
        }
        return records;
    }

    private static byte[] printableDump(Scenario sc, Side s, String store) throws Exception {
        Path p = sc.file(s, store);
        return sc.probe(s == Side.CYRUS ? List.of("db5.3_dump", "-p", p.toString()) : List.of("mdb_dump", "-n", "-p", p.toString()), false);
    }

    private static String readable(TreeMap<String, String> records) {
        StringBuilder s = new StringBuilder();
        records.forEach((k, v) -> s.append(Bytes.show(HexFormat.of().parseHex(k))).append(" => ")
                .append(Bytes.show(HexFormat.of().parseHex(v))).append('\n'));
        return s.toString();
    }

    private static String mode(Path p) throws Exception {
        return Files.exists(p) ? PosixFilePermissions.toString(Files.getPosixFilePermissions(p)) : "(missing)";
    }

    private static byte[] sorted(byte[] b) {
        List<byte[]> lines = new ArrayList<>(Bytes.lines(b));
        lines.sort(Arrays::compareUnsigned);
        return joinLines(lines);
    }

    private static byte[] head(byte[] b, int n) {
        List<byte[]> lines = Bytes.lines(b);
        return joinLines(lines.subList(0, Math.min(n, lines.size())));
    }

    private static byte[] joinLines(List<byte[]> lines) {
        List<byte[]> parts = new ArrayList<>();
        for (byte[] l : lines) {
            parts.add(l);
            parts.add(new byte[] {'\n'});
        }
        return Bytes.concat(parts);
    }

    private static boolean matches(Word regex, byte[] line) {
        return Pattern.compile(regex.text(), Pattern.DOTALL).matcher(new String(line, ISO_8859_1)).matches();
    }

    private static boolean finds(Word regex, byte[] line) {
        return Pattern.compile(regex.text(), Pattern.DOTALL).matcher(new String(line, ISO_8859_1)).find();
    }

    private static void count(Scenario sc, String what, String want, int got) {
        that(sc, Integer.parseInt(want) == got, what + ": " + got + ", expected " + want);
    }

    private static void same(Scenario sc, String what, byte[] cyrus, byte[] ours) {
        if (!Arrays.equals(cyrus, ours)) {
            throw new AssertionError(what + " differs\n  cyrus: " + Bytes.show(cyrus) + "\n  ours:  " + Bytes.show(ours)
                    + "\n  (scratch directory " + sc.dir + ")");
        }
    }

    private static void equal(Scenario sc, String what, byte[] want, byte[] got) {
        if (!Arrays.equals(want, got)) {
            throw new AssertionError(what + " is not as expected\n  expected: " + Bytes.show(want) + "\n  got:      "
                    + Bytes.show(got) + "\n  (scratch directory " + sc.dir + ")");
        }
    }

    private static void that(Scenario sc, boolean ok, String message) {
        if (!ok) {
            throw new AssertionError(message + " (scratch directory " + sc.dir + ")");
        }
    }

    /** The docs row a deliberate difference points to exists (a table row holding the text). */
    static void docsRow(CompatCase c) throws Exception {
        Path doc = Tools.get().compatibilityDoc();
        boolean found = Files.readAllLines(doc, UTF_8).stream()
                .anyMatch(l -> l.startsWith("|") && l.contains(c.docs));
        if (!found) {
            throw new AssertionError("case " + c.name + " differs from Cyrus on purpose, but no table row of " + doc
                    + " holds \"" + c.docs + "\": document the difference there");
        }
    }
}
