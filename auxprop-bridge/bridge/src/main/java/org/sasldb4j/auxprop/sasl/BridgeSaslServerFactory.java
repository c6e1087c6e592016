package org.sasldb4j.auxprop.sasl;

import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.security.auth.callback.CallbackHandler;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import javax.security.sasl.SaslServerFactory;
import org.sasldb4j.store.secret.ScramVariant;

/**
 * Creates the sasldb4j SASL servers. It serves only callers whose {@link CallbackHandler} is a
 * {@link BridgeCallbackHandler}; for any other handler it returns null, so other providers'
 * factories get their turn and nothing here is used by accident.
 *
 * <p>Mechanisms: PLAIN, LOGIN (password verified with any stored secret), CRAM-MD5 (plaintext or
 * CRAM-MD5 context), SCRAM-SHA-1 and SCRAM-SHA-256 (plaintext or stored keys), DIGEST-MD5 (the
 * JDK's own server, fed the plaintext by the handler). Policy properties are honoured:
 * {@link Sasl#POLICY_NOPLAINTEXT} and {@link Sasl#POLICY_NOACTIVE} exclude PLAIN and LOGIN;
 * {@link Sasl#POLICY_NODICTIONARY} excludes everything (none of these resists an offline
 * dictionary attack on a captured exchange); {@link Sasl#SERVER_AUTH} (mutual authentication)
 * leaves SCRAM only; {@link Sasl#POLICY_NOANONYMOUS} excludes nothing.
 */
public final class BridgeSaslServerFactory implements SaslServerFactory {
    static final String PLAIN = "PLAIN";
    static final String LOGIN = "LOGIN";
    static final String CRAM_MD5 = "CRAM-MD5";
    static final String DIGEST_MD5 = "DIGEST-MD5";
    static final String SCRAM_SHA_1 = "SCRAM-SHA-1";
    static final String SCRAM_SHA_256 = "SCRAM-SHA-256";

    /** Strongest first, as libsasl orders mechanism lists. */
    static final List<String> MECHANISMS = List.of(SCRAM_SHA_256, SCRAM_SHA_1, DIGEST_MD5, CRAM_MD5, PLAIN, LOGIN);

    /** Public no-argument constructor, for {@link Provider.Service#newInstance}. */
    public BridgeSaslServerFactory() {}

    @Override
    public SaslServer createSaslServer(String mechanism, String protocol, String serverName, Map<String, ?> props,
            CallbackHandler cbh) throws SaslException {
        if (!(cbh instanceof BridgeCallbackHandler h) || mechanism == null || !allowed(mechanism, props)) {
            return null;
        }
        AbstractServer own = switch (mechanism) {
            case PLAIN -> new PlainServer(h.bridge(), h.userRealm());
            case LOGIN -> new LoginServer(h.bridge(), h.userRealm());
            case CRAM_MD5 -> new CramMd5Server(h.bridge(), h.userRealm(), serverName);
            case SCRAM_SHA_1 -> new ScramServer(ScramVariant.SHA_1, h.bridge(), h.userRealm());
            case SCRAM_SHA_256 -> new ScramServer(ScramVariant.SHA_256, h.bridge(), h.userRealm());
            default -> null;
        };
        if (own != null) {
            return own.diagnosedBy(h.diagnosis());
        }
        if (!DIGEST_MD5.equals(mechanism)) {
            return null;
        }
        SaslServer digest = jdkDigest(protocol, serverName, props, h.forOneExchange());
        return h.diagnosis() == null ? digest : new DiagnosedServer(digest, h.diagnosis());
    }

    @Override
    public String[] getMechanismNames(Map<String, ?> props) {
        List<String> out = new ArrayList<>();
        for (String m : MECHANISMS) {
            if (allowed(m, props)) {
                out.add(m);
            }
        }
        return out.toArray(new String[0]);
    }

    static boolean allowed(String mechanism, Map<String, ?> props) {
        if (!MECHANISMS.contains(mechanism)) {
            return false;
        }
        if (props == null) {
            return true;
        }
        boolean scram = mechanism.startsWith("SCRAM-");
        boolean plaintext = mechanism.equals(PLAIN) || mechanism.equals(LOGIN);
        if (on(props, Sasl.POLICY_NOPLAINTEXT) && plaintext) {
            return false;
        }
        if (on(props, Sasl.POLICY_NOACTIVE) && plaintext) {
            return false;
        }
        if (on(props, Sasl.POLICY_NODICTIONARY)) {
            return false;
        }
        return !(on(props, Sasl.SERVER_AUTH) && !scram);
    }

    private static boolean on(Map<String, ?> props, String key) {
        return "true".equalsIgnoreCase(String.valueOf(props.get(key)));
    }

    /** The JDK's DIGEST-MD5 server (SunSASL), whose callbacks the bridge handler answers. */
    private static SaslServer jdkDigest(String protocol, String serverName, Map<String, ?> props,
            BridgeCallbackHandler h) throws SaslException {
        Provider sun = Security.getProvider("SunSASL");
        Provider.Service service = sun == null ? null : sun.getService("SaslServerFactory", DIGEST_MD5);
        if (service == null) {
            throw new SaslException("DIGEST-MD5: the JDK's SunSASL provider is not available");
        }
        try {
            SaslServerFactory jdk = (SaslServerFactory) service.newInstance(null);
            return jdk.createSaslServer(DIGEST_MD5, protocol, serverName, props, h);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new SaslException("DIGEST-MD5: cannot instantiate the JDK's server", e);
        }
    }
}
