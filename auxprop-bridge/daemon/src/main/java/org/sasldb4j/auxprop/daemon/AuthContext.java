package org.sasldb4j.auxprop.daemon;

import org.sasldb4j.auxprop.LoginDiagnosis;

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
    /** Filled by the bridge during the exchange: the user looked up, its realm rule, why it failed. */
    private final LoginDiagnosis lookup = new LoginDiagnosis();

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

    /**
     * The recorded reason: one given to {@link #diagnose}, else the bridge's (in {@link #lookup()}),
     * else {@code fallback}.
     */
    FailureReason diagnosisOr(FailureReason fallback) {
        FailureReason d = diagnosis;
        if (d != null) {
            return d;
        }
        return lookup.reason().map(r -> FailureReason.valueOf(r.name())).orElse(fallback);
    }

    /** What the bridge records about this exchange; hand it to the bridge, read it at the end. */
    LoginDiagnosis lookup() {
        return lookup;
    }

    /** The canonical {@code user@realm} the exchange looked up, or null if it never got that far. */
    String canonicalUser() {
        return lookup.user().map(Object::toString).orElse(null);
    }

    /**
     * The rule that chose the realm of {@link #canonicalUser()}, as a log word: {@code login-name}
     * (the login carried {@code @realm}), {@code default-realm} ({@code --realm}), {@code host-name}
     * (no {@code --realm}: this host's name), {@code client-realm} (DIGEST-MD5's realm); or null.
     */
    String realmRule() {
        return lookup.realmRule().map(r -> switch (r) {
            case LOGIN_NAME -> "login-name";
            case USER_REALM -> "default-realm";
            case SERVER_NAME -> "host-name";
            case CLIENT_REALM -> "client-realm";
        }).orElse(null);
    }

    /** Nanoseconds since this exchange began. */
    long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }
}
