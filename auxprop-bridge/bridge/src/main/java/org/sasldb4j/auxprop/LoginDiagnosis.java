package org.sasldb4j.auxprop;

import java.util.Objects;
import java.util.Optional;

/**
 * Why one SASL exchange failed, for the operator's log: the bridge's mechanisms fill it in as they
 * learn it (which user was looked up, by which realm rule, and what stopped the login). Give one
 * fresh instance per exchange ({@link org.sasldb4j.auxprop.sasl.BridgeCallbackHandler#forExchange})
 * and read it when the exchange has failed; without one, nothing is recorded and nothing extra is
 * looked up.
 *
 * <p>Filling it never changes what the client sees or how long the exchange takes: every reason is
 * found with the same lookups for known and unknown users (an unknown user's lookup works on the
 * bridge's stand-in records, as the mechanisms' own lookups do).
 *
 * <p><b>Security:</b> holds no secret. The reason must never reach the client: every client gets
 * the same failure whatever it is, so it cannot tell an unknown user from a wrong password.
 *
 * <p>Thread-safe (volatile fields); a later {@link #failed} replaces an earlier one.
 */
public final class LoginDiagnosis {
    /** Why the exchange failed. */
    public enum Reason {
        /** No such user in the store, or a name that cannot name one. */
        UNKNOWN_USER,
        /** The user has a secret that serves the mechanism, and the password or proof did not match it. */
        WRONG_PASSWORD,
        /** The account carries the disabled mark. */
        DISABLED,
        /** The user exists but no stored secret can serve this mechanism (docs/format.md, "Secrets for mechanisms"). */
        NO_SECRET_FOR_MECHANISM,
        /** The secret that would serve this mechanism is stored but cannot be parsed. */
        MALFORMED_SECRET,
        /** Authenticated, but may not act as the authorization id asked for. */
        NOT_AUTHORIZED,
        /** The client's message broke the mechanism's syntax. */
        MALFORMED_REQUEST
    }

    /** Where the realm of the looked-up user came from (docs/reference/cyrus-sasldb.md §2.2). */
    public enum RealmRule {
        /** The login named it: {@code alice@example.org}. */
        LOGIN_NAME,
        /** The connection's or configured user realm (the daemon's {@code --realm}). */
        USER_REALM,
        /** The server's host name (no user realm configured). */
        SERVER_NAME,
        /** The realm a DIGEST-MD5 client sent. */
        CLIENT_REALM;

        /**
         * The rule canonicalisation applies to {@code name}.
         *
         * @param userRealm the user realm in force (the connection's, else the configured one), or
         *     null for none
         */
        public static RealmRule of(String name, String userRealm) {
            if (name != null && name.indexOf('@') >= 0) {
                return LOGIN_NAME;
            }
            return userRealm != null ? USER_REALM : SERVER_NAME;
        }
    }

    private volatile CanonicalUser user;
    private volatile RealmRule realmRule;
    private volatile Reason reason;

    /** An empty diagnosis, for one exchange. */
    public LoginDiagnosis() {}

    /** Records the canonical user the exchange looked up, and the rule that chose its realm. */
    public void lookedUp(CanonicalUser user, RealmRule rule) {
        this.realmRule = Objects.requireNonNull(rule, "rule");
        this.user = Objects.requireNonNull(user, "user");
    }

    /** Records why the exchange fails (replacing an earlier reason). */
    public void failed(Reason why) {
        this.reason = Objects.requireNonNull(why, "why");
    }

    /** Records {@code why} unless a reason is already known. */
    public void failedUnlessExplained(Reason why) {
        if (reason == null) {
            failed(why);
        }
    }

    /** The canonical user looked up, if the exchange got that far. */
    public Optional<CanonicalUser> user() {
        return Optional.ofNullable(user);
    }

    /** The realm rule of {@link #user()}. */
    public Optional<RealmRule> realmRule() {
        return Optional.ofNullable(realmRule);
    }

    /** Why the exchange failed, if known. Meaningless after a success. */
    public Optional<Reason> reason() {
        return Optional.ofNullable(reason);
    }

    @Override
    public String toString() {
        return "LoginDiagnosis[" + user + ", " + realmRule + ", " + reason + "]";
    }
}
