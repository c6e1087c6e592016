package org.sasldb4j.auxprop.daemon;

import java.util.Locale;

/** How one authentication ended, as the log, throttling and metrics see it. */
enum LoginResult {
    /** Authenticated. */
    OK,
    /** Refused: the client gets a definite "no" (SMTP 535). */
    FAIL,
    /** Not decided: the client is told to try later (SMTP 454). */
    TEMPFAIL,
    /** The client never finished the exchange before the request timed out or was dropped. */
    EXPIRED,
    /** The connection closed (client gone, daemon stopping) with the exchange open. */
    ABORTED;

    /** The word in log lines and metric labels: {@code ok}, {@code fail}, ... */
    String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
