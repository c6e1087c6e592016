package org.sasldb4j.auxprop.daemon;

/** The result of one plaintext password check, as the wire protocols can express it. */
public enum CheckResult {
    /** The password is right and the user may log in. */
    OK,
    /**
     * Authentication failed: unknown user, wrong password, or a disabled user. The protocols
     * never tell these apart, so neither does this enum.
     */
    FAIL,
    /** The check could not be made (store unreadable, hashing queue full): try again later. */
    TEMP_FAIL
}
