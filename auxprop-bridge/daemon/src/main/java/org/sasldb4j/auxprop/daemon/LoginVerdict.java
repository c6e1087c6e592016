package org.sasldb4j.auxprop.daemon;

import java.util.List;

/**
 * What {@code sasldb-authd test-login} found out about one login: the outcome, the user it was
 * answered for, the secrets that served it and, for a failure, why. Never holds a secret.
 *
 * @param outcome the outcome, which chooses the exit status
 * @param user the canonical {@code user@realm}, or the name as given when it is not known
 * @param secrets the stored properties that served the login (store mode), possibly empty
 * @param reason why the login failed or could not be tested; null after a success
 */
record LoginVerdict(Outcome outcome, String user, List<String> secrets, String reason) {

    /** The outcomes, each with its exit status. */
    enum Outcome {
        /** The login works. */
        OK(0),
        /** The login was refused: wrong password, unknown user, disabled, no usable secret. */
        REFUSED(1),
        /** The answer was a temporary failure (Postfix: 454): store unreadable, hashing queue full. */
        TEMPORARY(75),
        /** The daemon or the store could not be reached at all. */
        UNAVAILABLE(69);

        private final int exitCode;

        Outcome(int exitCode) {
            this.exitCode = exitCode;
        }

        /** The exit status of {@code sasldb-authd test-login} for this outcome. */
        int exitCode() {
            return exitCode;
        }
    }

    LoginVerdict {
        secrets = List.copyOf(secrets);
    }

    static LoginVerdict ok(String user, List<String> secrets) {
        return new LoginVerdict(Outcome.OK, user, secrets, null);
    }

    static LoginVerdict refused(String user, String reason) {
        return new LoginVerdict(Outcome.REFUSED, user, List.of(), reason);
    }

    static LoginVerdict temporary(String user, String reason) {
        return new LoginVerdict(Outcome.TEMPORARY, user, List.of(), reason);
    }

    static LoginVerdict unavailable(String user, String reason) {
        return new LoginVerdict(Outcome.UNAVAILABLE, user, List.of(), reason);
    }
}
