package org.sasldb4j.store.audit;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;

/**
 * Audit records to the local syslog socket as {@code syslog(3)} writes them: one datagram
 * {@code <PRI>Mmm dd hh:mm:ss TAG[PID]: MESSAGE} (RFC 3164 framing), facility authpriv, severity
 * notice. rsyslog and systemd-journald's {@code /dev/log} both take this form; journald stores it
 * with {@code SYSLOG_IDENTIFIER=TAG}, {@code SYSLOG_FACILITY=10} and {@code PRIORITY=5}.
 */
final class SyslogSink {
    /** Facility authpriv (10) x 8 + severity notice (5). */
    static final int PRIORITY = 10 * 8 + 5;
    /** Longest datagram sent; rsyslog's default message limit is 8 KiB. */
    static final int MAX_BYTES = 8000;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.US);

    private final String socket;
    private final boolean explicit;
    private final String tag;
    private final long pid;
    private boolean warned;

    /**
     * @param socket the socket path, {@code /dev/log} by default
     * @param explicit true if the operator named the socket: then a missing socket is a warning
     */
    SyslogSink(String socket, boolean explicit, String tag, long pid) {
        this.socket = socket;
        this.explicit = explicit;
        this.tag = tag;
        this.pid = pid;
    }

    /** The datagram for {@code text}, truncated to {@link #MAX_BYTES} bytes. */
    byte[] datagram(String text, java.time.Instant time) {
        String stamp = STAMP.format(ZonedDateTime.ofInstant(time, ZoneId.systemDefault()));
        byte[] b = ("<" + PRIORITY + ">" + stamp + " " + tag + "[" + pid + "]: " + text)
                .getBytes(StandardCharsets.UTF_8);
        return b.length <= MAX_BYTES ? b : Arrays.copyOf(b, MAX_BYTES);
    }

    /**
     * Sends one record.
     *
     * @return a warning for the operator, or null (sent, or no syslog here and none asked for)
     */
    synchronized String send(AuditRecord r) {
        String[] error = new String[1];
        // No socket file (a container, CI): said without binding libc, which costs start-up time.
        UnixDatagram.Result result = !java.nio.file.Files.exists(java.nio.file.Path.of(socket))
                ? UnixDatagram.Result.NO_SOCKET
                : UnixDatagram.send(socket, datagram(r.toSyslogText(), r.time()), error);
        if (result == UnixDatagram.Result.SENT || result == UnixDatagram.Result.NO_SOCKET && !explicit) {
            return null; // a host without syslog (a container, CI): the file, if any, still has it
        }
        if (warned) {
            return null; // once per run is enough to say syslog does not take the records
        }
        warned = true;
        return "cannot send the audit record to syslog at " + socket + ": "
                + (result == UnixDatagram.Result.NO_SOCKET ? "nothing listens there" : error[0])
                + "; the change itself was made";
    }
}
