package org.sasldb4j.saslpasswd;

import java.util.ArrayList;
import java.util.List;
import org.sasldb4j.store.UserId;

/**
 * Ids that saslpasswd2 stores but no SASL lookup can reach (D7): servers strip leading and
 * trailing white space from the login name before the lookup, so {@code " hal "} is looked up as
 * {@code hal}.
 */
final class UserChecks {
    private UserChecks() {}

    /** Warnings about {@code user}; empty if a login can reach it. */
    static List<String> unreachable(UserId user) {
        List<String> out = new ArrayList<>(0);
        byte[] a = user.authidBytes();
        byte[] r = user.realmBytes();
        if (a.length == 0) {
            out.add("the user name is empty (" + user + "); no login can name this user");
        } else if (isSpace(a[0]) || isSpace(a[a.length - 1])) {
            out.add("the user name of " + quoted(user) + " begins or ends with white space; SASL servers strip it"
                    + " before the lookup, so this user can never log in");
        }
        if (r.length > 0 && (isSpace(r[0]) || isSpace(r[r.length - 1]))) {
            out.add("the realm of " + quoted(user) + " begins or ends with white space; logins naming it"
                    + " have that space stripped and will not find this user");
        }
        return out;
    }

    /** The note printed when the realm is the host name (D6). */
    static String hostnameRealmNote(String realm, String userDomain) {
        String why = userDomain != null ? "-u '' counts as no -u, so " : "";
        return why + "the realm is \"" + realm + "\", this host's name; servers using another default realm"
                + " will not find the user. Choose it with -u REALM, USER@REALM or --default-realm";
    }

    /** C {@code isspace} in the C locale. */
    static boolean isSpace(byte b) {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    private static String quoted(UserId u) {
        return "\"" + u + "\"";
    }
}
