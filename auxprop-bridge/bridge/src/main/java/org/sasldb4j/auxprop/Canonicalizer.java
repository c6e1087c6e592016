package org.sasldb4j.auxprop;

import java.util.Optional;
import org.sasldb4j.store.Reachability;

/**
 * Cyrus server-side user canonicalisation, {@code lib/canonusr.c:_canonuser_internal} followed by
 * {@code common/plugin_common.c:_plug_parseuser} (docs/reference/cyrus-sasldb.md §2.2):
 *
 * <ol>
 *   <li>strip leading and trailing C-locale {@code isspace} characters (space, TAB, LF, VT, FF,
 *       CR); an all-whitespace (or empty) name fails;
 *   <li>if the connection has a {@code user_realm} and the name has no {@code @}, the realm is
 *       {@code user_realm}, <em>even when it is empty</em> ({@code frank} with {@code user_realm ""}
 *       is {@code frank@}, the empty realm);
 *   <li>split at the first {@code @}; without one and without {@code user_realm}, the realm is
 *       the server FQDN (lowercased, ASCII).
 * </ol>
 *
 * Nothing else is folded: matching is byte-exact and case-sensitive in authid and realm.
 */
final class Canonicalizer {
    /** Cyrus's {@code CANON_BUF_SIZE}: longer canonical names fail there with SASL_BUFOVER. */
    static final int MAX_NAME_BYTES = 1024;

    private Canonicalizer() {}

    /**
     * @param name the name the client sent
     * @param userRealm the connection's {@code user_realm}, or null for none
     * @param serverFqdn the default realm, already lowercased
     * @return empty if the name is empty, all whitespace, contains NUL, or is too long
     */
    static Optional<CanonicalUser> canonicalize(String name, String userRealm, String serverFqdn) {
        if (name == null) {
            return Optional.empty();
        }
        int start = 0;
        int end = name.length();
        while (start < end && Reachability.isSpace(name.charAt(start))) {
            start++;
        }
        while (end > start && Reachability.isSpace(name.charAt(end - 1))) {
            end--;
        }
        if (start == end || name.length() > MAX_NAME_BYTES * 2) {
            return Optional.empty();
        }
        String trimmed = name.substring(start, end);
        if (trimmed.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        int at = trimmed.indexOf('@');
        String authid;
        String realm;
        if (at >= 0) {
            authid = trimmed.substring(0, at);
            realm = trimmed.substring(at + 1);
        } else {
            authid = trimmed;
            realm = userRealm != null ? userRealm : serverFqdn;
        }
        if (realm.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        // authid '@' realm must fit Cyrus's buffer (with its NUL)
        if (utf8Length(authid) + utf8Length(realm) + 2 > MAX_NAME_BYTES) {
            return Optional.empty();
        }
        return Optional.of(new CanonicalUser(authid, realm));
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
