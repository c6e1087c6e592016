package org.sasldb4j.auxprop.daemon;

import org.sasldb4j.store.StoreStats;

/**
 * What the connections authenticate against: SASL mechanisms for the Dovecot protocol, a
 * plaintext check for saslauthd. One instance per opened store; a reload (SIGHUP) replaces it.
 */
interface AuthBackend extends AutoCloseable {
    /** Mechanisms for the Dovecot protocol. */
    MechanismFactory mechanisms();

    /** Plaintext checks for the saslauthd protocol. */
    PasswordCheck passwords();

    /** How full the store is, for the metrics endpoint; cheap, never throws. */
    default StoreStats stats() {
        return StoreStats.NONE;
    }

    /** Releases the store; requests still running on this backend were given a grace period. */
    @Override
    void close();
}
