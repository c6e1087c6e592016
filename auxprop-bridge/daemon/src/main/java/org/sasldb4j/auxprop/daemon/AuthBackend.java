package org.sasldb4j.auxprop.daemon;

/**
 * What the connections authenticate against: SASL mechanisms for the Dovecot protocol, a
 * plaintext check for saslauthd. One instance per opened store; a reload (SIGHUP) replaces it.
 */
interface AuthBackend extends AutoCloseable {
    /** Mechanisms for the Dovecot protocol. */
    MechanismFactory mechanisms();

    /** Plaintext checks for the saslauthd protocol. */
    PasswordCheck passwords();

    /** Releases the store; requests still running on this backend were given a grace period. */
    @Override
    void close();
}
