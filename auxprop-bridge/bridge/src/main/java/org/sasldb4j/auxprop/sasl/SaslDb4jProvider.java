package org.sasldb4j.auxprop.sasl;

import java.security.Provider;

/**
 * The {@code SASLDB4J} {@link Provider}: SASL server mechanisms served from a sasldb4j store
 * through {@link org.sasldb4j.auxprop.AuxpropBridge}.
 *
 * <pre>{@code
 * Security.insertProviderAt(new SaslDb4jProvider(), 1);   // before SunSASL's CRAM-MD5
 * SaslServer s = Sasl.createSaslServer("SCRAM-SHA-256", "smtp", "mail.example.org", null,
 *         BridgeCallbackHandler.of(bridge));
 * }</pre>
 *
 * <p>Insert it ahead of SunSASL: for CRAM-MD5 and DIGEST-MD5 {@code Sasl.createSaslServer} takes
 * the first provider's factory, and SunSASL's CRAM-MD5 cannot use a stored CRAM-MD5 context. Or
 * call {@link BridgeSaslServerFactory} directly. The factory ignores callers whose callback
 * handler is not a {@link BridgeCallbackHandler}.
 */
public final class SaslDb4jProvider extends Provider {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "SASLDB4J";

    public SaslDb4jProvider() {
        super(NAME, "0.1", "sasldb4j SASL server mechanisms over a sasldb store"
                + " (PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5, SCRAM-SHA-1, SCRAM-SHA-256)");
        for (String m : BridgeSaslServerFactory.MECHANISMS) {
            put("SaslServerFactory." + m, BridgeSaslServerFactory.class.getName());
        }
    }
}
