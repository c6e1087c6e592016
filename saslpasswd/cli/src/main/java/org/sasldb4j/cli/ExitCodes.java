package org.sasldb4j.cli;

/**
 * The one table of exit statuses of every sasldb4j tool ({@code saslpasswd}, {@code sasldblistusers},
 * {@code sasldbconvert}, {@code sasldb-authd} and the launchers in {@code bin/}). A value means the
 * same thing in every tool; docs/guide.md and each man page's "Exit status" section list it.
 *
 * <p>saslpasswd2 exits with {@code -result} of the failing SASL call, so the values that scripts
 * already test for are Cyrus's: 1 for usage and generic failures ({@code SASL_FAIL}), 7 for an
 * invalid parameter ({@code SASL_BADPARAM}), 20 for an unknown user ({@code SASL_NOUSER}).
 *
 * <table>
 * <caption>Exit statuses</caption>
 * <tr><th>status</th><th>meaning</th></tr>
 * <tr><td>0</td><td>success</td></tr>
 * <tr><td>1</td><td>usage error, or the command failed; the store is as it was before</td></tr>
 * <tr><td>2</td><td>finished, but damaged records were skipped (listed on stderr)</td></tr>
 * <tr><td>7</td><td>invalid input: a password, user id or batch line; nothing was written</td></tr>
 * <tr><td>20</td><td>{@code --disable}/{@code --enable} of a user that does not exist</td></tr>
 * <tr><td>70</td><td>a checkout launcher: the jar is missing or stale and was not built</td></tr>
 * </table>
 */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /**
     * The command failed: the store could not be read or written (missing, unreadable, not a
     * store, disk full...), and is as it was before. One line on stderr says why.
     */
    public static final int FAILURE = 1;
    /** Usage error: same value as {@link #FAILURE}, as in Cyrus. */
    public static final int USAGE = 1;
    /**
     * The command finished but damaged records were skipped, each named on stderr:
     * {@code sasldblistusers} (Cyrus loops forever on them) and {@code sasldbconvert --salvage}.
     */
    public static final int DAMAGED_RECORDS_SKIPPED = 2;
    /**
     * Invalid input: empty or mismatched password, password too long or with NUL, a user id that
     * is not UTF-8 or holds a control character, an invalid batch line. Nothing was written.
     */
    public static final int INVALID_INPUT = 7;
    /** saslpasswd {@code --disable}/{@code --enable} of a user that does not exist ({@code SASL_NOUSER}). */
    public static final int NO_SUCH_USER = 20;
    /**
     * A checkout's launcher ({@code bin/lib/launch.bash}) found the tool's jar missing or stale and
     * could not build it, or would not: under a service manager it never builds ({@code EX_SOFTWARE}).
     * The installed launchers never return it.
     */
    public static final int LAUNCHER = 70;

    /** picocli exit-code list entries (for {@code @Command(exitCodeList=...)}), shared by every tool. */
    public static final String DOC_OK = OK + ":success";
    public static final String DOC_FAILURE = FAILURE
            + ":usage error, or the command failed (one line on stderr says why); the store is as it was before";
    public static final String DOC_DAMAGED = DAMAGED_RECORDS_SKIPPED
            + ":finished, but damaged records were skipped (each named on stderr)";
    public static final String DOC_INVALID = INVALID_INPUT
            + ":invalid input (password, user id or batch line); nothing was written";
    public static final String DOC_NO_SUCH_USER = NO_SUCH_USER
            + ":--disable or --enable of a user that does not exist";
    public static final String DOC_LAUNCHER = LAUNCHER + ":(a checkout's bin/ launcher only) the tool's jar is missing or older than its sources and was not built";

    private ExitCodes() {}
}
