package org.sasldb4j.auxprop.daemon;

import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

/**
 * Makes a fresh {@link SaslServer} for one authentication. The Dovecot protocol handler knows
 * mechanisms only through this interface and {@link SaslServer}.
 */
@FunctionalInterface
interface MechanismFactory {
    /**
     * A new server for {@code mechanism} (an upper-case name from {@link Mechanism#KNOWN}).
     *
     * @param context the request's service and client; the factory records the login name in it
     * @throws SaslException if the mechanism cannot be created; a cause that
     *     {@link Failures#isTemporary} accepts makes it a temporary failure
     */
    SaslServer create(String mechanism, AuthContext context) throws SaslException;
}
