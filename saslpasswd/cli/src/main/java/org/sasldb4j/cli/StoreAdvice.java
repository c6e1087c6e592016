package org.sasldb4j.cli;

import org.sasldb4j.store.ForeignFormatException;
import org.sasldb4j.store.StoreAddress;
import org.sasldb4j.store.StoreNotFoundException;

/**
 * The line a tool prints for an error: the store's message, plus what to run instead where the
 * store leaves that to the commands (the library names no command; these do).
 */
public final class StoreAdvice {
    private StoreAdvice() {}

    /** {@code e}'s message with the command that helps, if there is one. */
    public static String message(RuntimeException e) {
        String m = e.getMessage();
        if (m == null || m.isEmpty()) {
            return e.getClass().getSimpleName();
        }
        if (e instanceof StoreNotFoundException missing && missing.store() != null) {
            String store = missing.store().toString();
            if (folded(store)) {
                // A server store's path() is its redacted address made a Path, which folded the
                // "//": not a name to type again (the message names the server).
                return m + ". Create it by adding a user: saslpasswd -c -f ADDRESS USER";
            }
            return m + ". Create it by adding a user: saslpasswd -c -f " + store + " USER";
        }
        if (e instanceof ForeignFormatException foreign && foreign.path() != null) {
            switch (foreign.format()) {
                case BDB_HASH, BDB_BTREE:
                    return m + " Convert it with: sasldbconvert " + foreign.path() + " NEW_STORE";
                case DB_DUMP, GDBM_DUMP:
                    return m + " Import it with: sasldbconvert " + foreign.path() + " NEW_STORE";
                default:
                    return m;
            }
        }
        return m;
    }

    /** A server URI that went through {@link java.nio.file.Path#of} ({@code postgresql:/h/db}). */
    private static boolean folded(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return !StoreAddress.isServer(name) && (n.startsWith("postgresql:/") || n.startsWith("postgres:/"));
    }
}
