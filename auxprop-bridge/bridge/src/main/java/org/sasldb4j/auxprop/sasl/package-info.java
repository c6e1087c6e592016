/**
 * {@code javax.security.sasl} server mechanisms served from a sasldb4j store through the
 * {@link org.sasldb4j.auxprop.AuxpropBridge}: the {@link org.sasldb4j.auxprop.sasl.SaslDb4jProvider}
 * ("SASLDB4J") registers PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5 (the JDK's server, fed by
 * {@link org.sasldb4j.auxprop.sasl.BridgeCallbackHandler}), SCRAM-SHA-1 and SCRAM-SHA-256.
 *
 * <p><b>Security:</b> every parser of client bytes bounds its input first and reports every
 * malformed input as {@link javax.security.sasl.SaslException}; failures do not distinguish an
 * unknown user, a disabled account and a wrong password. See {@code docs/bridge.md}.
 */
package org.sasldb4j.auxprop.sasl;
