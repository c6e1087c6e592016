/**
 * Cyrus auxprop semantics over a {@link org.sasldb4j.store.CredentialStore}: what SASL mechanism
 * implementations call to find users, fetch the secret a mechanism needs and verify passwords.
 *
 * <p>Entry point: {@link org.sasldb4j.auxprop.AuxpropBridge#open}, configured by
 * {@link org.sasldb4j.auxprop.BridgeConfig}. User guide: {@code docs/bridge.md}. The SASL
 * mechanisms built on it are in {@link org.sasldb4j.auxprop.sasl}.
 *
 * <p><b>Security:</b> the store is opened only after the permission check for secrets; secrets
 * travel as arrays and are wiped; nothing secret appears in messages or {@code toString()}.
 */
package org.sasldb4j.auxprop;
