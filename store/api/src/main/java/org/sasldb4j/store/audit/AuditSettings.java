package org.sasldb4j.store.audit;

import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;

/**
 * Where audit records go, and whether changes stamp the account's
 * {@link ChangeTimes#PROPERTY change time}.
 *
 * @param tool the program, also the syslog tag (e.g. {@code saslpasswd})
 * @param version the program's version
 * @param file the JSON-lines file, or null for none
 * @param syslogSocket the syslog socket path, or null for no syslog
 * @param syslogExplicit true if the operator named the socket (a missing one is then a warning)
 * @param changeTimes true to stamp {@code sasldb4j.changed} in the store with each change
 */
public record AuditSettings(String tool, String version, Path file, String syslogSocket, boolean syslogExplicit,
        boolean changeTimes) {
    /** Environment variable: the JSON-lines audit log, when the tool's {@code --audit-log} is not given. */
    public static final String FILE_ENV = "SASLDB4J_AUDIT_LOG";
    /** Environment variable: the syslog socket instead of {@code /dev/log}; empty or {@code none}: no syslog. */
    public static final String SYSLOG_ENV = "SASLDB4J_SYSLOG_SOCKET";
    /** Environment variable: {@code 1}, {@code yes}, {@code on} or {@code true} stamps change times in the store. */
    public static final String CHANGE_TIMES_ENV = "SASLDB4J_CHANGE_TIMES";
    /** The host's syslog socket. */
    public static final String DEFAULT_SOCKET = "/dev/log";

    /**
     * The settings a tool takes from its environment.
     *
     * @param fileOption the tool's {@code --audit-log} option, or null; wins over {@link #FILE_ENV}
     */
    public static AuditSettings fromEnvironment(Function<String, String> getenv, String tool, String version,
            Path fileOption) {
        Path file = fileOption;
        String f = getenv.apply(FILE_ENV);
        if (file == null && f != null && !f.isEmpty()) {
            file = Path.of(f);
        }
        String s = getenv.apply(SYSLOG_ENV);
        String socket = DEFAULT_SOCKET;
        boolean explicit = false;
        if (s != null) {
            explicit = true;
            socket = s.isEmpty() || s.equals("none") ? null : s;
        }
        String t = getenv.apply(CHANGE_TIMES_ENV);
        boolean times = t != null && switch (t.toLowerCase(Locale.ROOT)) {
            case "1", "yes", "on", "true" -> true;
            default -> false;
        };
        return new AuditSettings(tool, version, file, socket, explicit, times);
    }
}
