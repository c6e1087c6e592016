package org.sasldb4j.store;

/**
 * Ids a sasldb can hold but no login can reach: an empty user name, and names or realms that
 * begin or end with white space (SASL servers strip it from the login name before the lookup,
 * so {@code " hal "} is looked up as {@code hal}). saslpasswd2 stores such ids silently;
 * sasldb4j's tools keep them too (they are the administrator's data) and say so.
 */
public final class Reachability {
    private Reachability() {}

    /**
     * Why no login can reach the user {@code authid@realm}, or null if one can.
     *
     * @param authid the user name's bytes
     * @param realm the realm's bytes
     */
    public static String whyUnreachable(byte[] authid, byte[] realm) {
        if (authid.length == 0) {
            return "the user name is empty";
        }
        if (isSpace(authid[0]) || isSpace(authid[authid.length - 1])) {
            return "the user name begins or ends with white space, which servers strip before the lookup";
        }
        if (realm.length > 0 && (isSpace(realm[0]) || isSpace(realm[realm.length - 1]))) {
            return "the realm begins or ends with white space, which servers strip before the lookup";
        }
        return null;
    }

    /** {@code "authid@realm"} with white space and other bytes outside printable ASCII shown as {@code \xNN}. */
    public static String quoted(byte[] authid, byte[] realm) {
        return "\"" + Entry.printable(authid, true) + "@" + Entry.printable(realm, true) + "\"";
    }

    /**
     * C {@code isspace} in the C locale: the characters SASL servers strip from both ends of a
     * login name. Takes a {@code char}, or a {@code byte} (bytes above 0x7F are negative, never
     * space).
     */
    public static boolean isSpace(int c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
