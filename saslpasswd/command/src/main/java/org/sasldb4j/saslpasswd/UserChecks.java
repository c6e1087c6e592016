package org.sasldb4j.saslpasswd;

import java.util.List;
import org.sasldb4j.store.Reachability;
import org.sasldb4j.store.StrictUtf8;
import org.sasldb4j.store.UserId;

/**
 * The checks of the user ids saslpasswd is given: ids that saslpasswd2 stores but no SASL lookup
 * can reach (defect D7, docs/reference/cyrus-sasldb.md §14; the rule is {@link Reachability}'s),
 * and ids given as text that would not be stored as typed.
 */
final class UserChecks {
    private UserChecks() {}

    /** Warnings about {@code user}; empty if a login can reach it. */
    static List<String> unreachable(UserId user) {
        byte[] a = user.authidBytes();
        byte[] r = user.realmBytes();
        String why = Reachability.whyUnreachable(a, r);
        if (why == null) {
            return List.of();
        }
        return List.of(Reachability.quoted(a, r) + ": " + why + "; no login can reach this user");
    }

    /**
     * Why an id given as text (the command line, a batch's {@code add}/{@code del}) is refused, or
     * null. One rule for both: user ids are UTF-8 without control characters. Invalid UTF-8 on the
     * command line reaches Java as U+FFFD, which would be stored instead of the bytes typed; a
     * control character (newline, TAB) would print raw and forge lines of listings. Other bytes
     * are stored only when asked for explicitly, with a batch's {@code add-hex}.
     */
    static String refusal(byte[] authid, byte[] realm) {
        String why = textProblem(authid);
        if (why == null) {
            why = textProblem(realm);
        }
        return why == null ? null : why + "; to store exactly these bytes, use --batch with an add-hex line";
    }

    /** Refusal of a command-line id; null if it is fine. */
    static String refusal(UserId user) {
        String a = user.authid();
        String r = user.realm();
        if (a.indexOf('\uFFFD') >= 0 || r.indexOf('\uFFFD') >= 0) {
            return "the user id is not valid UTF-8 (is the terminal or the script in another encoding?);"
                    + " to store exactly these bytes, use --batch with an add-hex line";
        }
        return refusal(user.authidBytes(), user.realmBytes());
    }

    private static String textProblem(byte[] b) {
        boolean ascii = true;
        for (byte x : b) {
            if ((x >= 0 && x < 0x20) || x == 0x7F) {
                return String.format("the user id contains the control character 0x%02x (a newline or TAB would"
                        + " forge lines of listings and logs)", x);
            }
            ascii &= x >= 0;
        }
        if (!ascii && !StrictUtf8.isValid(b)) {
            return "the user id is not valid UTF-8";
        }
        return null;
    }

    /** The note printed when the realm is the host name (D6). */
    static String hostnameRealmNote(String realm, String userDomain) {
        String why = userDomain != null ? "-u '' counts as no -u, so " : "";
        return why + "the realm is \"" + realm + "\", this host's name; servers using another default realm"
                + " will not find the user. Choose it with -u REALM, USER@REALM or --default-realm";
    }
}
