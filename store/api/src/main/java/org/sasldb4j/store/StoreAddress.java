package org.sasldb4j.store;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a store is named on a command line or in a configuration file: a file path, or the address
 * of a database server. A server address is a PostgreSQL connection URI ({@code postgresql://}
 * or {@code postgres://}, as libpq accepts them) or a libpq service name written
 * {@code service=NAME} (looked up in {@code pg_service.conf}, as {@code psql "service=NAME"} does).
 * Everything else is a file path: a file named like a URI must be written {@code ./postgresql:...}.
 *
 * <p><b>Security:</b> a URI may carry a password ({@code postgresql://user:secret@host/db}).
 * Messages, logs and {@code toString()} show {@link #redacted} only; the tools refuse a password
 * in a URI given on the command line (others can read argv).
 */
public final class StoreAddress {
    /**
     * User info up to the last {@code @} before any {@code ?}: wider than libpq's parse (which
     * stops at the first {@code /}), so that a password containing an unencoded {@code /} or
     * {@code @} is hidden too. Hiding too much is harmless; showing a password is not.
     */
    private static final Pattern USERINFO_PASSWORD = Pattern.compile("^(postgres(?:ql)?://[^?:@]*):[^?]*@",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern QUERY_PASSWORD = Pattern.compile("([?&]password=)[^&#]*", Pattern.CASE_INSENSITIVE);

    private StoreAddress() {}

    /** True if {@code name} addresses a database server rather than a file. */
    public static boolean isServer(String name) {
        if (name == null) {
            return false;
        }
        String n = name.strip().toLowerCase(Locale.ROOT);
        return n.startsWith("postgresql://") || n.startsWith("postgres://") || n.startsWith("service=");
    }

    /** True if the server address carries a password (in the user info or a {@code password=} parameter). */
    public static boolean hasPassword(String name) {
        return isServer(name) && !redacted(name).equals(name);
    }

    /**
     * The name as messages show it: a server address with any password replaced by {@code ***};
     * a file path unchanged.
     */
    public static String redacted(String name) {
        if (!isServer(name)) {
            return name;
        }
        String s = USERINFO_PASSWORD.matcher(name.strip()).replaceFirst("$1:***@");
        return QUERY_PASSWORD.matcher(s).replaceAll("$1***");
    }
}
