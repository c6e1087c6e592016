package org.sasldb4j.auxprop.daemon;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One log line per authentication: protocol, mechanism, user, result, why it failed, client
 * address, service. The format is stable (fail2ban filters and scripts match it):
 *
 * <pre>
 * auth dovecot: mech=PLAIN user=alice@example.org result=ok rip=192.0.2.7 service=smtp
 * auth dovecot: mech=PLAIN user=alice@example.org login=alice realm-rule=default-realm result=fail reason=wrong_password rip=192.0.2.7 service=smtp
 * auth saslauthd: mech=saslauthd user=- login=- result=tempfail reason=temporary cause=StoreException rip=- service=smtp
 * </pre>
 *
 * On success {@code user=} is the authorization id. Otherwise {@code user=} is the canonical
 * {@code user@realm} that was looked up ({@code -} if the exchange never got that far),
 * {@code login=} the name as the client sent it, {@code realm-rule=} how the realm was chosen
 * ({@link AuthContext#realmRule()}; absent when nothing was looked up), {@code reason=} a
 * {@link FailureReason#word()} and, for a temporary failure, {@code cause=} class names. Every
 * value is one word (no spaces): a client cannot forge a field.
 *
 * <p><b>Security:</b> never given a password. User names and addresses come from the network,
 * so control characters and spaces are replaced (no forged log lines or fields) and lengths are
 * capped. The reason is for the operator only: the client's answer is the same for all.
 */
final class AuthLog {
    static final Logger LOGGER = Logger.getLogger("org.sasldb4j.authd");

    private AuthLog() {}

    /** Logs one finished authentication (format above). Successes and refusals at INFO, temporary failures at WARNING. */
    static void authentication(LoginEvent e) {
        LOGGER.log(level(e), () -> line(e));
    }

    static Level level(LoginEvent e) {
        return e.result() == LoginResult.TEMPFAIL ? Level.WARNING : Level.INFO;
    }

    /** The line's text, without level or time stamp. */
    static String line(LoginEvent e) {
        AuthContext c = e.context();
        StringBuilder b = new StringBuilder(200).append("auth ").append(c.protocol()).append(": mech=")
                .append(safe(e.mechanism() == null ? "-" : e.mechanism()));
        if (e.result() == LoginResult.OK) {
            b.append(" user=").append(e.user() == null ? "-" : safe(e.user()));
        } else {
            String canonical = c.canonicalUser();
            b.append(" user=").append(canonical == null ? "-" : safe(canonical));
            b.append(" login=").append(e.user() == null ? "-" : safe(e.user()));
            if (canonical != null) {
                b.append(" realm-rule=").append(c.realmRule());
            }
        }
        b.append(" result=").append(e.result().word());
        if (e.reason() != null) {
            b.append(" reason=").append(e.reason().word());
        }
        if (e.cause() != null) {
            // "A <- B" (Failures.describe) as one word: StoreException<-StoreNotFoundException
            b.append(" cause=").append(safe(e.cause().replace(" <- ", "<-")));
        }
        b.append(" rip=").append(c.clientAddress().isEmpty() ? "-" : safe(c.clientAddress())).append(" service=")
                .append(safe(c.service()));
        return b.toString();
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
