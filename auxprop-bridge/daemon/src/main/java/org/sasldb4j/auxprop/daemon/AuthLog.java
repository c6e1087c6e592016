package org.sasldb4j.auxprop.daemon;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One log line per authentication: protocol, mechanism, user, result, client address, service.
 *
 * <p><b>Security:</b> never given a password. User names and addresses come from the network,
 * so control characters are replaced (no forged log lines) and lengths are capped.
 */
final class AuthLog {
    static final Logger LOGGER = Logger.getLogger("org.sasldb4j.authd");

    private AuthLog() {}

    /**
     * Logs one finished authentication: {@code auth PROTOCOL: mech=M user=U result=R [reason=W
     * [cause=C]] rip=A service=S}. Successes and refusals at INFO, temporary failures at WARNING.
     */
    static void authentication(LoginEvent e) {
        Level level = e.result() == LoginResult.TEMPFAIL ? Level.WARNING : Level.INFO;
        if (!LOGGER.isLoggable(level)) {
            return;
        }
        AuthContext c = e.context();
        StringBuilder b = new StringBuilder(160).append("auth ").append(c.protocol()).append(": mech=")
                .append(safe(e.mechanism() == null ? "-" : e.mechanism())).append(" user=")
                .append(e.user() == null ? "-" : safe(e.user())).append(" result=").append(e.result().word());
        if (e.reason() != null) {
            b.append(" reason=").append(e.reason().word());
        }
        if (e.cause() != null) {
            b.append(" cause=").append(safe(e.cause()));
        }
        b.append(" rip=").append(c.clientAddress().isEmpty() ? "-" : safe(c.clientAddress())).append(" service=")
                .append(safe(c.service()));
        LOGGER.log(level, b.toString());
    }

    /** Printable, single-line, at most 256 characters. */
    static String safe(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 256) + 4);
        for (int i = 0; i < s.length(); i++) {
            if (b.length() >= 256) {
                b.append("...");
                break;
            }
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || c == ' ' || Character.getType(c) == Character.FORMAT ? '?' : c);
        }
        return b.toString();
    }
}
