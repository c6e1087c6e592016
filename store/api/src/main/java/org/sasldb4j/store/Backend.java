package org.sasldb4j.store;

import java.util.Locale;

/** The kinds of file sasldb4j writes. */
public enum Backend {
    /** LMDB, laid out as Cyrus SASL's LMDB sasldb: readable by libsasl built with LMDB. */
    LMDB,
    /** SQLite, one table readable by the Cyrus sql auxprop plugin. */
    SQLITE;

    /** Parses {@code lmdb} or {@code sqlite}, any case. */
    public static Backend parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown backend '" + name + "' (use lmdb or sqlite)");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
