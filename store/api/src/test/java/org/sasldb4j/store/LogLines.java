package org.sasldb4j.store;

import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * Captures log records as "LEVEL message" lines into a list the test reads under its lock: the
 * log capture of the store-following tests here and in the daemon (through this module's test-jar).
 */
public final class LogLines extends Handler {
    private final List<String> lines;
    private final Predicate<String> keep;

    /** @param keep which messages to capture */
    public LogLines(List<String> lines, Predicate<String> keep) {
        this.lines = lines;
        this.keep = keep;
    }

    @Override
    public void publish(LogRecord r) {
        if (keep.test(r.getMessage())) {
            synchronized (lines) {
                lines.add(r.getLevel() + " " + r.getMessage());
            }
        }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
