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
     * Logs one finished authentication.
     *
     * @param mechanism the mechanism name, or {@code saslauthd} for that protocol
     * @param user the user (the authorization id on success, else the login the mechanism saw),
     *     or null if unknown
     * @param result {@code ok}, {@code fail}, {@code tempfail}, {@code expired} or {@code aborted}
     */
    static void authentication(AuthContext c, String mechanism, String user, String result) {
        Level level = "ok".equals(result) ? Level.INFO : "tempfail".equals(result) ? Level.WARNING : Level.INFO;
        if (!LOGGER.isLoggable(level)) {
            return;
        }
        LOGGER.log(level, "auth " + c.protocol() + ": mech=" + safe(mechanism) + " user=" + (user == null ? "-" : safe(user))
                + " result=" + result + " rip=" + (c.clientAddress().isEmpty() ? "-" : safe(c.clientAddress()))
                + " service=" + safe(c.service()));
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
