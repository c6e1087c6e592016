package org.sasldb4j.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Everything a tool takes from its process: environment variables, standard streams, the
 * terminal, the host name. The tools never touch {@code System.*} directly, so tests run them
 * in-process with fake input and captured output.
 */
public final class CliEnvironment {
    private final Map<String, String> env;
    private final InputStream stdin;
    private final OutputStream stdout;
    private final PrintStream stderr;
    private final PasswordConsole console;
    private final Supplier<String> hostname;
    private final boolean stdinTerminal;
    private final boolean stderrTerminal;
    private final Path fdDirectory;

    private CliEnvironment(Builder b) {
        this.env = Map.copyOf(b.env);
        this.stdin = Objects.requireNonNull(b.stdin, "stdin");
        this.stdout = Objects.requireNonNull(b.stdout, "stdout");
        this.stderr = Objects.requireNonNull(b.stderr, "stderr");
        this.console = b.console;
        this.hostname = b.hostname;
        this.stdinTerminal = b.stdinTerminal;
        this.stderrTerminal = b.stderrTerminal;
        this.fdDirectory = b.fdDirectory;
    }

    /** The real process: {@code System.getenv()}, file descriptors 0/1/2, {@code System.console()}. */
    public static CliEnvironment system() {
        return builder()
                .env(System.getenv())
                .stdin(new FileInputStream(FileDescriptor.in))
                // Unbuffered underneath; each tool buffers what it writes in bulk and flushes.
                .stdout(new FileOutputStream(FileDescriptor.out))
                .stderr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8))
                .console(PasswordConsole.system())
                .hostname(CliEnvironment::systemHostname)
                .stdinTerminal(isTerminal(0))
                .stderrTerminal(isTerminal(2))
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An environment variable, or null. */
    public String getenv(String name) {
        return env.get(name);
    }

    public InputStream stdin() {
        return stdin;
    }

    /** Raw standard output; wrap it in a buffer for bulk output and flush it. */
    public OutputStream stdout() {
        return stdout;
    }

    /** Standard error, UTF-8, for one-line messages. */
    public PrintStream stderr() {
        return stderr;
    }

    /** The terminal for password prompts, or null when there is none. */
    public PasswordConsole console() {
        return console;
    }

    /** The host name as {@code gethostname()} returns it (not lowercased, not DNS-resolved). */
    public String hostname() {
        return hostname.get();
    }

    /** True if standard input is a terminal ({@code isatty(0)}). */
    public boolean stdinIsTerminal() {
        return stdinTerminal;
    }

    /** True if standard error is a terminal: progress may be shown there. */
    public boolean stderrIsTerminal() {
        return stderrTerminal;
    }

    /** Where open file descriptors appear as files ({@code /proc/self/fd} or {@code /dev/fd}). */
    public Path fdDirectory() {
        return fdDirectory;
    }

    /**
     * {@code gethostname()}: the kernel's node name, which is what saslpasswd2 uses. Java's
     * {@code InetAddress.getLocalHost()} may consult DNS and return another name
     * (defect D6, docs/reference/cyrus-sasldb.md §14).
     */
    static String systemHostname() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux; fall through
        }
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isEmpty()) {
            return h;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            throw new IllegalStateException("gethostname", e);
        }
    }

    /** Linux: whether file descriptor {@code fd} is a terminal, from what it links to in /proc. */
    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | RuntimeException e) {
            return fd == 0 && System.console() != null;
        }
    }

    /** Builds an environment; unset parts are empty (no variables, empty stdin, discarded output). */
    public static final class Builder {
        private Map<String, String> env = new HashMap<>();
        private InputStream stdin = InputStream.nullInputStream();
        private OutputStream stdout = OutputStream.nullOutputStream();
        private PrintStream stderr = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        private PasswordConsole console;
        private Supplier<String> hostname = () -> "localhost";
        private boolean stdinTerminal;
        private boolean stderrTerminal;
        private Path fdDirectory = Files.isDirectory(Path.of("/proc/self/fd")) ? Path.of("/proc/self/fd") : Path.of("/dev/fd");

        private Builder() {}

        public Builder env(Map<String, String> e) {
            this.env = new HashMap<>(e);
            return this;
        }

        public Builder env(String name, String value) {
            this.env.put(name, value);
            return this;
        }

        public Builder stdin(InputStream in) {
            this.stdin = in;
            return this;
        }

        public Builder stdout(OutputStream out) {
            this.stdout = out;
            return this;
        }

        public Builder stderr(PrintStream err) {
            this.stderr = err;
            return this;
        }

        /** A terminal for prompts; setting one also marks stdin as a terminal. */
        public Builder console(PasswordConsole c) {
            this.console = c;
            if (c != null) {
                this.stdinTerminal = true;
            }
            return this;
        }

        public Builder hostname(String h) {
            this.hostname = () -> h;
            return this;
        }

        public Builder hostname(Supplier<String> h) {
            this.hostname = h;
            return this;
        }

        public Builder stdinTerminal(boolean t) {
            this.stdinTerminal = t;
            return this;
        }

        public Builder stderrTerminal(boolean t) {
            this.stderrTerminal = t;
            return this;
        }

        public Builder fdDirectory(Path d) {
            this.fdDirectory = d;
            return this;
        }

        public CliEnvironment build() {
            return new CliEnvironment(this);
        }
    }

    /** Wraps {@link #stdout()} in a large buffer for listings. */
    public OutputStream bufferedStdout() {
        return new BufferedOutputStream(stdout, 1 << 16);
    }
}
