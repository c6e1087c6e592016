package org.sasldb4j.auxprop.daemon;

/**
 * What the daemon knows about one authentication besides the mechanism's messages: the
 * protocol, service and client address for the log, and the login name the mechanism asked
 * about (recorded by the callback handler), so failures can be logged with a user.
 *
 * <p>Written by the connection's thread and read by the same thread or, for delayed replies,
 * after a happens-before edge through the scheduler; the volatile field covers the callback.
 */
final class AuthContext {
    private final String protocol;
    private final String service;
    private final String clientAddress;
    private final long startNanos = System.nanoTime();
    private volatile String login;
    private volatile FailureReason diagnosis;

    AuthContext(String protocol, String service, String clientAddress) {
        this.protocol = protocol;
        this.service = service == null || service.isEmpty() ? "smtp" : service;
        this.clientAddress = clientAddress == null ? "" : clientAddress;
    }

    /** {@code dovecot} or {@code saslauthd}. */
    String protocol() {
        return protocol;
    }

    /** The SASL service name, e.g. {@code smtp}. */
    String service() {
        return service;
    }

    /** The SMTP client's address from {@code rip=}, or empty. */
    String clientAddress() {
        return clientAddress;
    }

    /** The login name the mechanism looked up, or null if it never got that far. */
    String login() {
        return login;
    }

    void login(String name) {
        this.login = name;
    }

    /** Records why the exchange is failing, as the code that found out knows it. */
    void diagnose(FailureReason reason) {
        this.diagnosis = reason;
    }

    /** The recorded reason, or {@code fallback} if none was recorded. */
    FailureReason diagnosisOr(FailureReason fallback) {
        FailureReason d = diagnosis;
        return d == null ? fallback : d;
    }

    /** Nanoseconds since this exchange began. */
    long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }
}
