package org.sasldb4j.auxprop.sasl;

import java.security.Provider;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

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
 *
 * <p><b>Security:</b> the JDK's DIGEST-MD5 server logs {@code H(user:realm:password)} (the stored
 * password and its equivalent H(A1)) to the {@code javax.security.sasl} logger at FINE. Creating
 * the provider caps that logger and {@code com.sun.security.sasl} at INFO, wherever the
 * application's logging configuration put them; an application that lowers them again afterwards
 * brings the leak back (docs/bridge.md).
 */
public final class SaslDb4jProvider extends Provider {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "SASLDB4J";
    /** The JDK's SASL loggers, whose FINE records carry password equivalents. */
    static final List<String> JDK_SASL_LOGGERS = List.of("javax.security.sasl", "com.sun.security.sasl");
    /** Strong references: the log manager keeps loggers weakly, and a collected one loses its level. */
    private static final List<Logger> CAPPED = new ArrayList<>();

    public SaslDb4jProvider() {
        super(NAME, "0.1", "sasldb4j SASL server mechanisms over a sasldb store"
                + " (PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5, SCRAM-SHA-1, SCRAM-SHA-256)");
        for (String m : BridgeSaslServerFactory.MECHANISMS) {
            put("SaslServerFactory." + m, BridgeSaslServerFactory.class.getName());
        }
        capJdkSaslLoggers();
    }

    /** Caps the JDK's SASL loggers at INFO (a level above INFO is kept). */
    static synchronized void capJdkSaslLoggers() {
        for (String name : JDK_SASL_LOGGERS) {
            Logger l = Logger.getLogger(name);
            if (l.getLevel() == null || l.getLevel().intValue() < Level.INFO.intValue()) {
                l.setLevel(Level.INFO);
            }
            if (!CAPPED.contains(l)) {
                CAPPED.add(l);
            }
        }
    }
}
