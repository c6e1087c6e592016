package org.sasldb4j.auxprop.daemon;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Sends {@code java.util.logging} to stderr, one line per record:
 * {@code 2026-01-02T03:04:05.678 sasldb-authd[123]: INFO auth dovecot: ...}. Under systemd the
 * journal collects stderr; stack traces appear only at level FINE and below.
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

    static void configure(PrintStream stderr, Level level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        long pid = ProcessHandle.current().pid();
        Handler h = new StreamHandler(stderr, new OneLine(pid, level.intValue() <= Level.FINE.intValue())) {
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

    private static final class OneLine extends Formatter {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS");
        private final long pid;
        private final boolean traces;

        OneLine(long pid, boolean traces) {
            this.pid = pid;
            this.traces = traces;
        }

        @Override
        public String format(LogRecord r) {
            StringBuilder b = new StringBuilder(160);
            b.append(LocalDateTime.now().format(TIME)).append(" sasldb-authd[").append(pid).append("]: ")
                    .append(r.getLevel().getName()).append(' ').append(formatMessage(r)).append('\n');
            if (traces && r.getThrown() != null) {
                java.io.StringWriter w = new java.io.StringWriter();
                r.getThrown().printStackTrace(new java.io.PrintWriter(w));
                b.append(w);
            }
            return b.toString();
        }
    }
}
