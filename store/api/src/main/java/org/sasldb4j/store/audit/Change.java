package org.sasldb4j.store.audit;

/** What a change did to an account (or, for {@link #CONVERTED}, to a whole store). */
public enum Change {
    /** A new account, with its first password. */
    CREATED("created"),
    /** The password of an existing account was replaced. */
    PASSWORD_SET("password-set"),
    /** The account was locked ({@code saslpasswd --disable}). */
    DISABLED("disabled"),
    /** The account was unlocked ({@code saslpasswd --enable}). */
    ENABLED("enabled"),
    /** Every record of the account was deleted. */
    DELETED("deleted"),
    /** A store was converted or merged into another: one summary record per run, with counts. */
    CONVERTED("converted"),
    /**
     * A summary of a run of many account changes ({@code saslpasswd --batch}), sent to syslog
     * instead of one record per account when the run is large; its details hold the counts.
     */
    BATCH("batch"),
    /** A login re-hashed the account's password into the current secret set. */
    REHASHED("rehashed");

    private final String word;

    Change(String word) {
        this.word = word;
    }

    /** The word in records, e.g. {@code password-set}. */
    public String word() {
        return word;
    }
}
