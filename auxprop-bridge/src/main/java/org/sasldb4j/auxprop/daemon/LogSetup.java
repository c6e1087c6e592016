package org.sasldb4j.auxprop.daemon;

import java.io.PrintStream;
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
 */
final class LogSetup {
    private LogSetup() {}

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
        root.addHandler(h);
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
