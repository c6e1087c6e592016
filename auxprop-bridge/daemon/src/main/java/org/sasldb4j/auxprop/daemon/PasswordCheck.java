package org.sasldb4j.auxprop.daemon;

/**
 * Checks a plaintext password: what the saslauthd protocol needs. The real implementation
 * delegates to the auxprop bridge's {@code verify}; tests use fakes.
 *
 * <p>Implementations are thread-safe, must not keep or log the password, and must not wipe it
 * (the caller owns and wipes the array).
 */
@FunctionalInterface
public interface PasswordCheck {
    /**
     * Checks {@code password} for {@code login}.
     *
     * @param login the user as the client named it: {@code alice} (default realm applies) or
     *     {@code alice@example.org} (split at the first {@code @})
     * @param password the password's bytes exactly as the client sent them (not necessarily
     *     UTF-8: a legacy plaintext is compared byte for byte, as PLAIN does); not modified, not
     *     retained
     * @return the result; a failure to reach the credentials is {@link CheckResult#TEMP_FAIL},
     *     never an exception
     */
    CheckResult check(String login, byte[] password);

    /**
     * {@link #check(String, byte[])}, recording in {@code diagnosis} the user looked up and, for
     * {@link CheckResult#FAIL}, why (for the log; the caller's answer does not change). The default
     * records nothing.
     */
    default CheckResult check(String login, byte[] password, org.sasldb4j.auxprop.LoginDiagnosis diagnosis) {
        return check(login, password);
    }

    /**
     * The state of the user's stored secrets, for the verification cache: a remembered success
     * counts only while this is unchanged, so a password changed, a user deleted or disabled is
     * honoured at the next login, not after the cache's TTL. The default (an empty array, a state
     * that never changes) leaves only the TTL.
     *
     * <p>Security: may be derived from secrets; the caller uses it only inside a keyed MAC and
     * wipes it.
     *
     * @throws org.sasldb4j.store.StoreException if the store cannot be read
     */
    default byte[] secretsState(String login) {
        return new byte[0];
    }
}
