package org.sasldb4j.saslpasswd;

/**
 * One parsed line of a batch: which user, and for {@code add} where the password is. Offsets
 * point into the batch input (or into decoded hex arrays), so parsing copies no password.
 *
 * @param line 1-based line number, for messages
 * @param delete true for {@code del}, false for {@code add}
 * @param user the bytes holding the user id
 * @param userFrom start of the user id in {@code user}
 * @param userTo end (exclusive) of the user id
 * @param password the bytes holding the password ({@code add} only)
 * @param passwordFrom start of the password
 * @param passwordTo end (exclusive) of the password
 */
record BatchOp(int line, boolean delete, byte[] user, int userFrom, int userTo,
               byte[] password, int passwordFrom, int passwordTo) {

    /** Where {@code @} splits the user id, or -1. */
    int at() {
        for (int i = userFrom; i < userTo; i++) {
            if (user[i] == '@') {
                return i;
            }
        }
        return -1;
    }

    /** Key prefix length of this user ({@code authid \0 realm \0}) for a given default realm. */
    int keyPrefixLength(int defaultRealmLength) {
        int at = at();
        return at < 0 ? (userTo - userFrom) + defaultRealmLength + 2 : (userTo - userFrom) + 1;
    }

    @Override
    public String toString() {
        // Never the password.
        return "line " + line + (delete ? " del" : " add");
    }
}
