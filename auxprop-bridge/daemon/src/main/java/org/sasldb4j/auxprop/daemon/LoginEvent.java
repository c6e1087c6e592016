package org.sasldb4j.auxprop.daemon;

import java.util.Objects;

/**
 * One finished authentication, as every {@link LoginObserver} sees it.
 *
 * <p><b>Security:</b> holds no secret. {@code user} and {@code clientAddress} come from the
 * network: observers that print them must make them safe ({@link AuthLog#safe}).
 *
 * @param context protocol, service, client address and start time of the exchange
 * @param mechanism the mechanism name, or {@code saslauthd} for that protocol
 * @param user the authorization id on success, else the login the mechanism saw, or null
 * @param result how it ended
 * @param reason why it did not succeed; null exactly when {@code result} is {@link LoginResult#OK}
 * @param cause for {@link FailureReason#TEMPORARY}: a short description (class names), else null
 * @param durationNanos from the first message of the exchange to its end
 */
record LoginEvent(AuthContext context, String mechanism, String user, LoginResult result, FailureReason reason,
        String cause, long durationNanos) {
    LoginEvent {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(result, "result");
        if ((result == LoginResult.OK) != (reason == null)) {
            throw new IllegalArgumentException("a reason is given exactly when the login did not succeed");
        }
    }

    /** A success of {@code user}. */
    static LoginEvent ok(AuthContext c, String mechanism, String user) {
        return new LoginEvent(c, mechanism, user, LoginResult.OK, null, null, c.elapsedNanos());
    }

    /** An ending other than success, for {@code reason}. */
    static LoginEvent ended(AuthContext c, String mechanism, String user, LoginResult result, FailureReason reason) {
        return new LoginEvent(c, mechanism, user, result, reason, null, c.elapsedNanos());
    }

    /** A temporary failure with its cause (class names only, see {@link Failures#describe}). */
    static LoginEvent temporary(AuthContext c, String mechanism, String user, String cause) {
        return new LoginEvent(c, mechanism, user, LoginResult.TEMPFAIL, FailureReason.TEMPORARY, cause,
                c.elapsedNanos());
    }
}
