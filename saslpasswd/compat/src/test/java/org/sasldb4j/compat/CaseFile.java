package org.sasldb4j.compat;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code cases.txt}: a line format of shell-like words (see the head of that file for the
 * directives). Words may be 'single-quoted' (literal) or "double-quoted" (with \n \t \r \0 \\ \"
 * and \xHH; any other backslash stays as written, so regular expressions read naturally), and
 * {@code ${NAME}} is replaced by a value given with {@code let} or by HOSTREALM.
 */
final class CaseFile {

    private final Map<String, byte[]> vars = new HashMap<>();
    private final Map<String, List<List<Word>>> macros = new HashMap<>();
    private final List<CompatCase> cases = new ArrayList<>();

    private CaseFile() {
        vars.put("HOSTREALM", hostRealm().getBytes(ISO_8859_1));
    }

    /** Cyrus's default realm: gethostname(), ASCII-lowercased. */
    static String hostRealm() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the host name", e);
        }
    }

    static List<CompatCase> load(String resource) {
        try (InputStream in = CaseFile.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the test class path");
            }
            return parse(new String(in.readAllBytes(), UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<CompatCase> parse(String text) {
        CaseFile f = new CaseFile();
        f.read(text.split("\n", -1));
        return f.cases;
    }

    private void read(String[] lines) {
        CompatCase current = null;
        String macro = null;
        Set<String> names = new HashSet<>();
        for (int i = 0; i < lines.length; i++) {
            int no = i + 1;
            List<Word> words = words(lines[i], no);
            if (words.isEmpty()) {
                continue;
            }
            String op = words.get(0).text();
            List<Word> args = words.subList(1, words.size());
            if (macro != null) {
                if (op.equals("end")) {
                    macro = null;
                } else {
                    macros.get(macro).add(words);
                }
                continue;
            }
            switch (op) {
                case "let" -> {
                    need(args.size() >= 2, no, "let NAME WORD...");
                    vars.put(args.get(0).text(), concat(args.subList(1, args.size())));
                }
                case "define" -> {
                    need(args.size() == 1, no, "define NAME");
                    macro = args.get(0).text();
                    macros.put(macro, new ArrayList<>());
                }
                case "case" -> {
                    need(args.size() == 1, no, "case NAME");
                    finish(current);
                    current = new CompatCase(args.get(0).text(), no);
                    need(names.add(current.name), no, "a second case named " + current.name);
                    cases.add(current);
                }
                case "use" -> {
                    need(current != null, no, "use outside a case");
                    Side side = args.size() == 2 ? Side.of(args.get(0).text()) : null;
                    String name = args.get(args.size() - 1).text();
                    need(macros.containsKey(name), no, "no 'define " + name + "' before this line");
                    for (List<Word> m : macros.get(name)) {
                        List<Word> w = new ArrayList<>(m);
                        if (side != null && Side.of(w.get(1).text()) == null) {
                            w.add(1, new Word(side.word().getBytes(ISO_8859_1), false));
                        }
                        directive(current, w.get(0).text(), subst(w.subList(1, w.size())), no);
                    }
                }
                default -> {
                    need(current != null, no, "'" + op + "' outside a case");
                    directive(current, op, subst(args), no);
                }
            }
        }
        need(macro == null, lines.length, "define " + macro + " without end");
        finish(current);
    }

    private static void finish(CompatCase c) {
        if (c == null) {
            return;
        }
        need(c.kind != null, c.line, "case " + c.name + " has no kind");
        need(!c.runs.isEmpty(), c.line, "case " + c.name + " has no run");
        need(!c.checks.isEmpty(), c.line, "case " + c.name + " has no check");
        need(c.kind != CompatCase.Kind.DIFFERS || c.docs != null, c.line,
                "case " + c.name + " differs but names no row of docs/compatibility.md (docs \"...\")");
        need(c.kind != CompatCase.Kind.CYRUS_IS || c.checks.stream().anyMatch(
                k -> !k.args().isEmpty() && k.args().get(0).is("cyrus")), c.line,
                "case " + c.name + " is cyrus-is but pins nothing of Cyrus's output");
    }

    private void directive(CompatCase c, String op, List<Word> args, int no) {
        switch (op) {
            case "kind" -> {
                c.kind = CompatCase.Kind.of(args.isEmpty() ? "" : args.get(0).text());
                need(c.kind != null && args.size() == 1, no, "kind same|cyrus-is|differs");
            }
            case "docs" -> {
                need(args.size() == 1, no, "docs \"TEXT OF THE ROW\"");
                c.docs = new String(args.get(0).bytes(), UTF_8);
            }
            case "file", "dir", "chmod", "poke", "truncate", "copy-cyrus", "setup" -> {
                Side side = args.isEmpty() ? null : Side.of(args.get(0).text());
                List<Word> rest = side == null ? args : args.subList(1, args.size());
                need(!rest.isEmpty(), no, op + " needs arguments");
                c.steps.add(new CompatCase.Step(op, side, List.copyOf(rest), no));
            }
            case "stdin" -> {
                need(!args.isEmpty(), no, "stdin SPEC...");
                c.stdin = content(args, no);
            }
            case "stdin-pieces" -> {
                need(args.size() >= 2, no, "stdin-pieces SPEC SPEC...");
                c.stdinPieces = new ArrayList<>();
                for (Word w : args) {
                    c.stdinPieces.add(content(List.of(w), no));
                }
            }
            case "env" -> {
                need(args.size() == 1 && args.get(0).text().contains("="), no, "env NAME=VALUE");
                String kv = new String(args.get(0).bytes(), UTF_8);
                c.env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
            case "tty" -> {
                need(args.size() == 2, no, "tty ENTRY1 ENTRY2");
                c.tty = new byte[][] {args.get(0).bytes(), args.get(1).bytes()};
            }
            case "read-only" -> args.forEach(w -> c.readOnly.add(w.text()));
            case "timeout" -> {
                Side side = args.isEmpty() ? null : Side.of(args.get(0).text());
                need(side != null && args.size() == 2, no, "timeout SIDE SECONDS");
                c.timeoutSeconds.put(side, Integer.parseInt(args.get(1).text()));
            }
            case "run" -> {
                Side side = args.isEmpty() ? null : Side.of(args.get(0).text());
                List<Word> argv = side == null ? args : args.subList(1, args.size());
                need(!argv.isEmpty(), no, "run [SIDE] TOOL ARG...");
                for (Side s : side == null ? Side.values() : new Side[] {side}) {
                    need(c.runs.put(s, List.copyOf(argv)) == null, no, "a second run for " + s.word());
                }
            }
            case "check" -> {
                need(args.size() >= 2, no, "check LABEL ASSERTION ARG...");
                need(Checks.known(args.get(1).text()), no, "unknown assertion " + args.get(1).text());
                c.checks.add(new CompatCase.Check(args.get(0).text(), args.get(1).text(),
                        List.copyOf(args.subList(2, args.size())), no));
            }
            default -> need(false, no, "unknown directive " + op);
        }
    }

    /**
     * Content given as words, concatenated: {@code empty}, {@code text:...}, {@code hex:...},
     * {@code repeat:C:COUNT}, {@code corpus:NAME} or {@code corpus:NAME:BYTES} (the first BYTES).
     */
    static byte[] content(List<Word> words, int no) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Word w : words) {
            String t = w.text();
            byte[] b = w.bytes();
            if (t.equals("empty")) {
                continue;
            } else if (t.startsWith("text:")) {
                out.write(b, 5, b.length - 5);
            } else if (t.startsWith("hex:")) {
                out.writeBytes(HexFormat.of().parseHex(t.substring(4)));
            } else if (t.startsWith("repeat:")) {
                String[] p = t.split(":");
                need(p.length == 3 && p[1].length() == 1, no, "repeat:C:COUNT");
                out.writeBytes(p[1].repeat(Integer.parseInt(p[2])).getBytes(ISO_8859_1));
            } else if (t.startsWith("corpus:")) {
                String[] p = t.split(":");
                byte[] file = corpus(p[1], no);
                int n = p.length > 2 ? Math.min(Integer.parseInt(p[2]), file.length) : file.length;
                out.write(file, 0, n);
            } else {
                need(false, no, "unknown content " + w + " (empty, text:, hex:, repeat:C:N, corpus:NAME[:N])");
            }
        }
        return out.toByteArray();
    }

    /** A file of the test resources' corpus (real sasldb2 files written by Debian's saslpasswd2). */
    static byte[] corpus(String name, int no) {
        try (InputStream in = CaseFile.class.getResourceAsStream("/compat/corpus/" + name)) {
            need(in != null, no, "no corpus file " + name + " in src/test/resources/compat/corpus");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Word> subst(List<Word> words) {
        List<Word> out = new ArrayList<>(words.size());
        for (Word w : words) {
            byte[] b = w.bytes();
            for (Map.Entry<String, byte[]> v : vars.entrySet()) {
                b = Bytes.replace(b, ("${" + v.getKey() + "}").getBytes(ISO_8859_1), v.getValue());
            }
            out.add(new Word(b, w.quoted()));
        }
        return out;
    }

    private static byte[] concat(List<Word> words) {
        List<byte[]> parts = new ArrayList<>();
        words.forEach(w -> parts.add(w.bytes()));
        return Bytes.concat(parts);
    }

    /** Splits a line into words; '#' at the start of a word starts a comment. */
    static List<Word> words(String line, int no) {
        List<Word> words = new ArrayList<>();
        ByteArrayOutputStream cur = new ByteArrayOutputStream();
        boolean inWord = false;
        boolean quoted = false;
        int i = 0;
        while (i < line.length()) {
            char ch = line.charAt(i);
            if (ch == ' ' || ch == '\t' || ch == '\r') {
                if (inWord) {
                    words.add(new Word(cur.toByteArray(), quoted));
                    cur.reset();
                    inWord = false;
                    quoted = false;
                }
                i++;
            } else if (ch == '#' && !inWord) {
                break;
            } else if (ch == '\'') {
                int end = line.indexOf('\'', i + 1);
                need(end > 0, no, "unterminated '");
                cur.writeBytes(line.substring(i + 1, end).getBytes(UTF_8));
                inWord = true;
                quoted = true;
                i = end + 1;
            } else if (ch == '"') {
                i = doubleQuoted(line, i + 1, cur, no);
                inWord = true;
                quoted = true;
            } else {
                int cp = line.codePointAt(i);
                cur.writeBytes(new String(Character.toChars(cp)).getBytes(UTF_8));
                inWord = true;
                i += Character.charCount(cp);
            }
        }
        if (inWord) {
            words.add(new Word(cur.toByteArray(), quoted));
        }
        return words;
    }

    /** Reads a double-quoted part starting after its quote; returns the index after the closing quote. */
    private static int doubleQuoted(String line, int i, ByteArrayOutputStream cur, int no) {
        while (true) {
            need(i < line.length(), no, "unterminated \"");
            char ch = line.charAt(i);
            if (ch == '"') {
                return i + 1;
            }
            if (ch == '\\' && i + 1 < line.length()) {
                char e = line.charAt(i + 1);
                switch (e) {
                    case 'n' -> cur.write('\n');
                    case 't' -> cur.write('\t');
                    case 'r' -> cur.write('\r');
                    case '0' -> cur.write(0);
                    case '\\' -> cur.write('\\');
                    case '"' -> cur.write('"');
                    case 'x' -> {
                        need(i + 3 < line.length(), no, "\\xHH needs two hex digits");
                        cur.write(Integer.parseInt(line.substring(i + 2, i + 4), 16));
                        i += 2;
                    }
                    default -> {
                        cur.write('\\');
                        cur.writeBytes(String.valueOf(e).getBytes(UTF_8));
                    }
                }
                i += 2;
            } else {
                int cp = line.codePointAt(i);
                cur.writeBytes(new String(Character.toChars(cp)).getBytes(UTF_8));
                i += Character.charCount(cp);
            }
        }
    }

    static void need(boolean ok, int line, String what) {
        if (!ok) {
            throw new IllegalArgumentException("cases.txt line " + line + ": " + what);
        }
    }
}
