package org.sasldb4j.cli;

/**
 * Exit statuses. saslpasswd2 exits with {@code -result} of the failing SASL call, so the values
 * that scripts already test for are kept: 1 for usage and generic failures, 7 for an invalid
 * parameter (empty password, mismatch), 20 for an unknown user.
 */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** Usage error, or a failure to read or write the store ({@code SASL_FAIL}). */
    public static final int FAILURE = 1;
    /** Usage error: same value as {@link #FAILURE}, as in Cyrus. */
    public static final int USAGE = 1;
    /**
     * sasldblistusers: the listing finished but damaged records were skipped (Cyrus loops
     * forever on them).
     */
    public static final int DAMAGED_RECORDS_SKIPPED = 2;
    /** Invalid input: empty or mismatched password, password too long or with NUL, invalid batch. */
    public static final int INVALID_INPUT = 7;
    /** saslpasswd {@code --disable}/{@code --enable} of a user that does not exist ({@code SASL_NOUSER}). */
    public static final int NO_SUCH_USER = 20;

    private ExitCodes() {}
}
