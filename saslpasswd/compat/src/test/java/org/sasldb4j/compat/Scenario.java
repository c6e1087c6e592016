package org.sasldb4j.compat;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.RandomAccessFile;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs one case: a scratch directory with a store directory per side, the preparation steps, then
 * the compared command on each side as a real process. The outcome is kept for the checks.
 */
final class Scenario {

    /** Every argument reaches the program byte for byte, whatever the JVM's locale (argv of a
     * Java process is encoded with it): each byte travels as \xHH and bash's printf decodes it.
     * The umask is the administrator's usual one; new store files get their mode from it. */
    private static final String EXEC = "umask 022; a=(); for x; do printf -v y %b \"$x\"; a+=(\"$y\"); done; exec \"${a[@]}\"";

    /** A slow writer: the pause lets the first piece arrive alone (what a single read() sees). */
    private static final long PIECE_PAUSE_MILLIS = 500;

    private static final int DEFAULT_TIMEOUT_SECONDS = 120;

    /** What one side's command did, with its outputs normalised (program name, store directory). */
    record Outcome(int rc, boolean timedOut, byte[] stdout, byte[] stderr) {
    }

    final CompatCase c;
    final Path dir;
    final Map<Side, Outcome> outcomes = new EnumMap<>(Side.class);
    /** SHA-256 of every file of both store directories just before the compared command */
    final Map<Path, String> before = new HashMap<>();
    private final Tools tools = Tools.get();

    Scenario(CompatCase c, Path parent) {
        this.c = c;
        try {
            this.dir = Files.createTempDirectory(parent, c.name.replaceAll("[^A-Za-z0-9._-]", "_") + "-");
            Files.createDirectories(side(Side.CYRUS));
            Files.createDirectories(side(Side.OURS));
            Files.createDirectories(dir.resolve("run"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path side(Side s) {
        return dir.resolve(s.word());
    }

    Path file(Side s, String name) {
        return side(s).resolve(name);
    }

    /** Runs the steps and the compared command; throws when a step fails. */
    void run() throws Exception {
        for (CompatCase.Step step : c.steps) {
            for (Side s : step.side() == null ? Side.values() : new Side[] {step.side()}) {
                step(step, s);
            }
        }
        for (Side s : Side.values()) {
            try (Stream<Path> files = Files.walk(side(s))) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    before.put(p, sha256(p));
                }
            }
        }
        boolean asNobody = prepareReadOnly();
        for (Map.Entry<Side, List<Word>> run : c.runs.entrySet()) {
            Side s = run.getKey();
            List<byte[]> argv = command(s, run.getValue());
            if (asNobody) {
                List<byte[]> wrapped = new ArrayList<>();
                for (String w : List.of(tools.system("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups",
                        tools.system("env"), "HOME=/nonexistent")) {
                    wrapped.add(w.getBytes(UTF_8));
                }
                wrapped.addAll(argv);
                argv = wrapped;
            }
            int timeout = c.timeoutSeconds.getOrDefault(s, DEFAULT_TIMEOUT_SECONDS);
            Outcome raw = c.tty != null ? onTerminal(s, argv) : exec(s, "run", argv, c.env, c.stdin, c.stdinPieces, timeout);
            outcomes.put(s, new Outcome(raw.rc(), raw.timedOut(), normalise(raw.stdout()), normalise(raw.stderr())));
        }
    }

    private void step(CompatCase.Step step, Side s) throws Exception {
        List<Word> a = step.args();
        int no = step.line();
        switch (step.op()) {
            case "file" -> {
                Path p = file(s, a.get(0).text());
                Files.write(p, CaseFile.content(a.subList(1, a.size()), no));
                // copies of real stores get the mode saslpasswd2 gives them
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r-----"));
            }
            case "dir" -> Files.createDirectories(file(s, a.get(0).text()));
            case "chmod" -> {
                for (Word w : a.subList(1, a.size())) {
                    Path p = file(s, w.text());
                    if (Files.exists(p)) {
                        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(symbolic(a.get(0).text())));
                    }
                }
            }
            case "poke" -> {
                try (RandomAccessFile f = new RandomAccessFile(file(s, a.get(0).text()).toFile(), "rw")) {
                    f.seek(Long.parseLong(a.get(1).text()));
                    f.write(CaseFile.content(a.subList(2, a.size()), no));
                }
            }
            case "truncate" -> {
                try (RandomAccessFile f = new RandomAccessFile(file(s, a.get(0).text()).toFile(), "rw")) {
                    f.setLength(Long.parseLong(a.get(1).text()));
                }
            }
            case "copy-cyrus" -> {
                if (s == Side.OURS) {
                    Files.copy(file(Side.CYRUS, a.get(0).text()), file(Side.OURS, a.get(a.size() - 1).text()),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
            case "setup" -> {
                int lt = 0;
                while (lt < a.size() && !a.get(lt).is("<")) {
                    lt++;
                }
                byte[] in = lt < a.size() ? CaseFile.content(a.subList(lt + 1, a.size()), no) : null;
                Outcome o = exec(s, "setup" + no, command(s, a.subList(0, lt)), Map.of(), in, null, DEFAULT_TIMEOUT_SECONDS);
                if (o.rc() != 0) {
                    throw new AssertionError("setup at cases.txt line " + no + " (" + s.word() + ") failed with exit "
                            + o.rc() + ": " + Bytes.show(o.stderr()) + "; scratch directory " + dir);
                }
            }
            default -> throw new IllegalStateException(step.op());
        }
    }

    private static String symbolic(String octal) {
        int m = Integer.parseInt(octal, 8);
        StringBuilder s = new StringBuilder();
        String rwx = "rwx";
        for (int i = 8; i >= 0; i--) {
            s.append((m & (1 << i)) != 0 ? rwx.charAt(2 - i % 3) : '-');
        }
        return s.toString();
    }

    /**
     * The files the command may read but not write. Root writes any file whatever its mode, so
     * then the command runs as nobody (the scratch tree made readable); otherwise the owner's
     * write bit is taken away. Returns whether to run as nobody.
     */
    private boolean prepareReadOnly() throws IOException {
        if (c.readOnly.isEmpty()) {
            return false;
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        for (Side s : Side.values()) {
            for (String name : c.readOnly) {
                Path p = file(s, name);
                if (Files.exists(p)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(root ? "rw-r--r--" : "r--r--r--"));
                }
            }
        }
        if (root) {
            for (Path p : List.of(dir.getParent(), dir, side(Side.CYRUS), side(Side.OURS))) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        return root;
    }

    /** The argv of a command of the case: @S@ is the side's store directory, tools resolved per side. */
    private List<byte[]> command(Side s, List<Word> words) {
        List<byte[]> argv = new ArrayList<>();
        int i = 0;
        if (words.get(0).is("env")) {
            // env NAME=VALUE... PROGRAM ARG...: the program after the assignments is resolved
            argv.add(tools.system("env").getBytes(UTF_8));
            i = 1;
            while (i < words.size() && words.get(i).text().contains("=")) {
                argv.add(words.get(i++).bytes());
            }
        }
        argv.add(tools.resolve(s, words.get(i++).text()).getBytes(UTF_8));
        byte[] here = side(s).toString().getBytes(UTF_8);
        for (Word w : words.subList(i, words.size())) {
            argv.add(Bytes.replace(w.bytes(), "@S@".getBytes(ISO_8859_1), here));
        }
        return argv;
    }

    private Outcome exec(Side s, String what, List<byte[]> argv, Map<String, String> env, byte[] stdin,
            List<byte[]> pieces, int timeoutSeconds) throws Exception {
        Path base = dir.resolve("run").resolve(what + "." + s.word());
        List<String> cmd = new ArrayList<>(List.of(tools.system("bash"), "-c", EXEC, "compat"));
        for (byte[] arg : argv) {
            cmd.add(escaped(arg));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Tools.baseEnvironment(pb.environment());
        pb.environment().putAll(env);
        pb.redirectOutput(Path.of(base + ".out").toFile());
        pb.redirectError(Path.of(base + ".err").toFile());
        if (pieces != null) {
            pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        } else if (stdin != null) {
            Path in = Path.of(base + ".in");
            Files.write(in, stdin);
            pb.redirectInput(in.toFile());
        } else {
            pb.redirectInput(Path.of("/dev/null").toFile());
        }
        Process p = pb.start();
        if (pieces != null) {
            writePieces(p, pieces);
        }
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
        return new Outcome(done ? p.exitValue() : 124, !done, Files.readAllBytes(Path.of(base + ".out")),
                Files.readAllBytes(Path.of(base + ".err")));
    }

    /** Writes stdin piece by piece; a program that stops reading after one read() may be gone before the rest. */
    private static void writePieces(Process p, List<byte[]> pieces) throws InterruptedException {
        OutputStream out = p.getOutputStream();
        try {
            for (int i = 0; i < pieces.size(); i++) {
                if (i > 0) {
                    Thread.sleep(PIECE_PAUSE_MILLIS);
                }
                out.write(pieces.get(i));
                out.flush();
            }
            out.close();
        } catch (IOException exited) {
            // the program exited (or closed stdin) before reading everything: what it read is what it got
        }
    }

    /** Runs the command with stdin and stdout on a pseudo-terminal (the small Python driver answers the prompts). */
    private Outcome onTerminal(Side s, List<byte[]> argv) throws Exception {
        Path driver;
        try {
            driver = Path.of(Scenario.class.getResource("/compat/ttyrun.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Path prefix = dir.resolve("run").resolve("tty." + s.word());
        List<byte[]> full = new ArrayList<>();
        for (String w : List.of(tools.system("python3"), driver.toString(), prefix.toString())) {
            full.add(w.getBytes(UTF_8));
        }
        full.add(c.tty[0]);
        full.add(c.tty[1]);
        full.addAll(argv);
        Outcome driverRun = exec(s, "ttydriver", full, c.env, null, null, DEFAULT_TIMEOUT_SECONDS);
        Path rc = Path.of(prefix + ".rc");
        if (driverRun.rc() != 0 || !Files.exists(rc)) {
            throw new AssertionError("the terminal driver failed (exit " + driverRun.rc() + "): " + Bytes.show(driverRun.stderr()));
        }
        int code = Integer.parseInt(Files.readString(rc).strip());
        return new Outcome(code, code == 124, Files.readAllBytes(Path.of(prefix + ".out")), Files.readAllBytes(Path.of(prefix + ".err")));
    }

    private static String escaped(byte[] arg) {
        StringBuilder s = new StringBuilder(arg.length * 4);
        for (byte b : arg) {
            s.append(String.format("\\x%02x", b & 0xff));
        }
        return s.toString();
    }

    /** Cyrus's program names become ours, and each side's store directory becomes @S@. */
    byte[] normalise(byte[] b) {
        for (Side s : Side.values()) {
            b = Bytes.replace(b, side(s).toString().getBytes(UTF_8), "@S@".getBytes(ISO_8859_1));
        }
        b = Bytes.replace(b, "saslpasswd2".getBytes(ISO_8859_1), "saslpasswd".getBytes(ISO_8859_1));
        return Bytes.replace(b, "sasldblistusers2".getBytes(ISO_8859_1), "sasldblistusers".getBytes(ISO_8859_1));
    }

    /** Runs a helper command (a dump) for a check; stdout, or an AssertionError with its stderr. */
    byte[] probe(List<String> argv, boolean mayFail) throws Exception {
        List<byte[]> a = new ArrayList<>();
        a.add(tools.system(argv.get(0)).getBytes(UTF_8));
        for (String w : argv.subList(1, argv.size())) {
            a.add(w.getBytes(UTF_8));
        }
        Outcome o = exec(Side.OURS, "probe", a, Map.of(), null, null, DEFAULT_TIMEOUT_SECONDS);
        if (o.rc() != 0 && !mayFail) {
            throw new AssertionError(String.join(" ", argv) + " failed with exit " + o.rc() + ": " + Bytes.show(o.stderr()));
        }
        return mayFail && o.rc() != 0 ? concatErr(o) : o.stdout();
    }

    private static byte[] concatErr(Outcome o) {
        return Bytes.concat(List.of(o.stdout(), o.stderr()));
    }

    static String sha256(Path p) throws IOException {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void delete() {
        if (Boolean.getBoolean("compat.keep")) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the scratch directory " + dir, e);
        }
    }
}
