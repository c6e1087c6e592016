package org.sasldb4j.store.postgresql;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where a replica's connections come from: PgConnector in production, a plain JDBC
 * connection in tests of this package.
 */
interface ReplicaSource {

    /**
     * A new connection (autocommit off).
     *
     * @throws SQLException or {@link org.sasldb4j.store.StoreException} if the server cannot be reached
     */
    Connection connect() throws SQLException;

    /** The database as messages show it, without a password. */
    String name();

    /** Connections from {@code connector}, named as it names the database. */
    static ReplicaSource of(PgConnector connector) {
        return new ReplicaSource() {
            @Override
            public Connection connect() {
                return connector.connect();
            }

            @Override
            public String name() {
                return connector.displayName();
            }
        };
    }
}
