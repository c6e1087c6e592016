/**
 * Cyrus auxprop semantics over a {@link org.sasldb4j.store.CredentialStore}: what SASL mechanism
 * implementations call to fetch and verify secrets. Not built yet; see issue "Hashed secrets and
 * the auxprop bridge".
 */
package org.sasldb4j.auxprop;
