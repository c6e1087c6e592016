package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Sends {@code java.util.logging} to stderr, one line per record, in the form that fits where
 * stderr goes:
 * <ul>
 * <li>run by hand (a terminal, a file, a pipe): {@code 2026-01-02T03:04:05.678+01:00
 * sasldb-authd[123]: INFO auth dovecot: ...}, the time with its offset from UTC, so lines from
 * machines in different zones (or across a DST change) sort and compare;
 * <li>under systemd, when stderr is the journal's stream ({@code $JOURNAL_STREAM} names the
 * device and inode of stderr): {@code <6>auth dovecot: ...}. The journal stamps each line with
 * the time, the program and its pid itself, and reads the {@code <N>} prefix (a syslog priority)
 * as the line's level, so {@code journalctl -p warning} works; a second timestamp would only be
 * noise.
 * </ul>
 * The daemon never detaches, so it never writes to a closed terminal. Stack traces appear only
 * at level FINE and below.
 *
 * <p><b>Security:</b> only sasldb4j's own loggers ({@code org.sasldb4j.*}), which never log a
 * secret, follow {@code --log-level} below INFO. Libraries' debug output can carry secrets: the
 * JDK's DIGEST-MD5 server logs {@code H(user:realm:password)} and the stored password at FINE.
 * So the known library loggers are capped at INFO (their debug records are not even made), and
 * the handler drops every record below INFO from any other logger, known or not.
 */
final class LogSetup {
    /** The prefix of sasldb4j's own logger names. */
    static final String OWN = "org.sasldb4j";
    /** Library loggers capped at INFO: JDK SASL, LMDB, SQLite, Argon2 and their native glue. */
    static final List<String> LIBRARIES = List.of("javax.security.sasl", "com.sun.security.sasl",
            "javax.security.auth", "sun.security", "org.lmdbjava", "org.sqlite", "de.mkammerer", "jnr",
            "com.kenai", "com.ongres", "picocli");
    /** Strong references: the log manager keeps loggers weakly, and a collected one loses its level. */
    private static final List<Logger> CAPPED = new ArrayList<>();

    private LogSetup() {}

    /** True if {@code r} may be printed: ours at any level, anyone else's from INFO up. */
    static boolean printable(LogRecord r) {
        String n = r.getLoggerName();
        boolean own = n != null && (n.equals(OWN) || n.startsWith(OWN + "."));
        return own || r.getLevel().intValue() >= Level.INFO.intValue();
    }

    /** Caps the library loggers at INFO (again after every {@link LogManager#reset()}). */
    static synchronized void capLibraries() {
        for (String name : LIBRARIES) {
            Logger l = Logger.getLogger(name);
            l.setLevel(Level.INFO);
            if (!CAPPED.contains(l)) {
                CAPPED.add(l);
            }
        }
    }

    /** Where stderr goes, as far as the line format is concerned. */
    enum Destination {
        /** A terminal, file or pipe: lines carry a zoned timestamp, the program and its pid. */
        STREAM,
        /** systemd's journal: lines carry a syslog priority prefix and nothing the journal adds. */
        JOURNAL
    }

    /**
     * The journal when {@code $JOURNAL_STREAM} ({@code device:inode}, both decimal) names the file
     * {@code stderrLink} resolves to. systemd sets the variable for a service whose stderr is the
     * journal; a child whose stderr was redirected elsewhere inherits it, hence the comparison.
     */
    static Destination detect(Map<String, String> env, Path stderrLink) {
        String stream = env.get("JOURNAL_STREAM");
        if (stream == null) {
            return Destination.STREAM;
        }
        int colon = stream.indexOf(':');
        if (colon <= 0) {
            return Destination.STREAM;
        }
        try {
            long dev = Long.parseLong(stream.substring(0, colon));
            long ino = Long.parseLong(stream.substring(colon + 1));
            Map<String, Object> a = Files.readAttributes(stderrLink, "unix:dev,ino");
            return ((Number) a.get("dev")).longValue() == dev && ((Number) a.get("ino")).longValue() == ino
                    ? Destination.JOURNAL : Destination.STREAM;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) { // incl. NumberFormatException
            return Destination.STREAM;
        }
    }

    /** Configures logging for the daemon's own stderr (file descriptor 2). */
    static void configure(PrintStream stderr, Level level) {
        configure(stderr, level, detect(System.getenv(), Path.of("/proc/self/fd/2")), Clock.systemDefaultZone());
    }

    static void configure(PrintStream stderr, Level level, Destination destination, Clock clock) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        long pid = ProcessHandle.current().pid();
        boolean traces = level.intValue() <= Level.FINE.intValue();
        Formatter f = destination == Destination.JOURNAL ? new JournalLine(traces) : new OneLine(pid, traces, clock);
        Handler h = new StreamHandler(stderr, f) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        h.setLevel(level);
        h.setFilter(LogSetup::printable);
        root.addHandler(h);
        capLibraries();
        root.setLevel(level);
    }

    /** The stack trace of {@code r}'s exception, or nothing. */
    private static String trace(LogRecord r, boolean traces) {
        if (!traces || r.getThrown() == null) {
            return "";
        }
        java.io.StringWriter w = new java.io.StringWriter();
        r.getThrown().printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    private static final class OneLine extends Formatter {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX");
        private final long pid;
        private final boolean traces;
        private final Clock clock;

        OneLine(long pid, boolean traces, Clock clock) {
            this.pid = pid;
            this.traces = traces;
            this.clock = clock;
        }

        @Override
        public String format(LogRecord r) {
            StringBuilder b = new StringBuilder(160);
            b.append(OffsetDateTime.now(clock).format(TIME)).append(" sasldb-authd[").append(pid).append("]: ")
                    .append(r.getLevel().getName()).append(' ').append(oneLine(formatMessage(r))).append('\n');
            return b.append(trace(r, traces)).toString();
        }
    }

    /** sd-daemon(3) style: {@code <priority>message}; the journal adds time, program and pid. */
    private static final class JournalLine extends Formatter {
        private final boolean traces;

        JournalLine(boolean traces) {
            this.traces = traces;
        }

        @Override
        public String format(LogRecord r) {
            String t = trace(r, traces);
            // Every line of a trace is its own journal entry: give each the record's priority.
            String prefix = "<" + priority(r.getLevel()) + ">";
            StringBuilder b = new StringBuilder(prefix).append(oneLine(formatMessage(r))).append('\n');
            for (String line : t.split("\n")) {
                if (!line.isEmpty()) {
                    b.append(prefix).append(line).append('\n');
                }
            }
            return b.toString();
        }
    }

    /** The syslog priority of a level: SEVERE err(3), WARNING warning(4), INFO info(6), below debug(7). */
    static int priority(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return 3;
        }
        if (v >= Level.WARNING.intValue()) {
            return 4;
        }
        return v >= Level.INFO.intValue() ? 6 : 7;
    }

    /**
     * One event, one line: a line break inside a message (a client-supplied user name is escaped
     * before it is logged, but a library's message may hold one) would start a forged entry.
     */
    static String oneLine(String message) {
        if (message.indexOf('\n') < 0 && message.indexOf('\r') < 0) {
            return message;
        }
        return message.replace("\r", "\\r").replace("\n", "\\n");
    }
}
