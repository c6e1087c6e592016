package org.sasldb4j.auxprop.daemon;

import java.util.Locale;

/**
 * Why an authentication did not succeed. For the operator only (log, metrics): every client gets
 * the same answer whatever the reason, so no reason tells an SMTP client whether a user exists.
 */
enum FailureReason {
    /** No such user in the store. */
    UNKNOWN_USER,
    /** The user exists and the password (or proof) was wrong. */
    WRONG_PASSWORD,
    /** The user is disabled. */
    DISABLED,
    /** The user exists but has no secret that can serve this mechanism. */
    NO_SECRET_FOR_MECHANISM,
    /** A stored secret could not be parsed. */
    MALFORMED_SECRET,
    /** The authorization id was refused. */
    NOT_AUTHORIZED,
    /** The client's message was malformed (bad base64, bad mechanism syntax). */
    MALFORMED_REQUEST,
    /** The mechanism is not offered. */
    UNSUPPORTED_MECHANISM,
    /** The credentials could not be consulted (see the cause in the log line). */
    TEMPORARY,
    /** The exchange timed out or was dropped unanswered. */
    TIMED_OUT,
    /** The connection closed (client gone, daemon stopping) with the exchange open. */
    CONNECTION_CLOSED,
    /** Not known to the daemon (e.g. a mechanism that does not report it). */
    UNSPECIFIED;

    /** The word in log lines and metric labels: {@code unknown_user}, ... */
    String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
