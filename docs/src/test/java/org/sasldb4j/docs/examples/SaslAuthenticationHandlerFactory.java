package org.sasldb4j.docs.examples;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.sasldb4j.auxprop.sasl.BridgeCallbackHandler;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.RejectException;

/**
 * Plugs {@code javax.security.sasl} servers into SubEthaSMTP's AUTH command (RFC 4954): every
 * mechanism of the SASLDB4J provider, served from a sasldb4j store through the bridge.
 *
 * <p>SubEthaSMTP hands the handler the whole {@code AUTH MECH [initial-response]} line first and
 * then each client line; the handler answers {@code 334 <base64 challenge>} or nothing (done).
 *
 * <p><b>Security:</b> every failure gets the same {@code 535 5.7.8} reply, whether the user is
 * unknown, disabled or the password wrong. Offer PLAIN and LOGIN only over TLS in production.
 */
public final class SaslAuthenticationHandlerFactory implements AuthenticationHandlerFactory {
    /** Longest AUTH line or response accepted (base64 of the largest PLAIN message, with room). */
    static final int MAX_LINE = 16 * 1024;
    private final List<String> mechanisms;
    private final BridgeCallbackHandler callbacks;
    private final String serverName;

    public SaslAuthenticationHandlerFactory(List<String> mechanisms, BridgeCallbackHandler callbacks, String serverName) {
        this.mechanisms = List.copyOf(mechanisms);
        this.callbacks = callbacks;
        this.serverName = serverName;
    }

    @Override
    public List<String> getAuthenticationMechanisms() {
        return mechanisms;
    }

    @Override
    public AuthenticationHandler create() {
        return new Handler();
    }

    private final class Handler implements AuthenticationHandler {
        private SaslServer server;
        private boolean finalChallengeSent;

        @Override
        public Optional<String> auth(String clientInput, MessageContext context) throws RejectException {
            if (clientInput.length() > MAX_LINE) {
                throw new RejectException(500, "5.5.6 Authentication exchange line is too long");
            }
            try {
                byte[] response;
                if (server == null) {
                    String[] words = clientInput.trim().split(" +");
                    String mechanism = words.length > 1 ? words[1].toUpperCase(Locale.ROOT) : "";
                    if (!mechanisms.contains(mechanism)) {
                        throw new RejectException(504, "5.5.4 Unrecognized authentication type");
                    }
                    server = Sasl.createSaslServer(mechanism, "smtp", serverName, null, callbacks);
                    if (server == null) {
                        throw new RejectException(504, "5.5.4 Unrecognized authentication type");
                    }
                    // "=" is RFC 4954's empty initial response
                    response = words.length > 2 && !words[2].equals("=") ? decode(words[2]) : new byte[0];
                } else if (finalChallengeSent) {
                    return Optional.empty(); // the client acknowledged the server's last data
                } else {
                    response = decode(clientInput.trim());
                }
                byte[] challenge = server.evaluateResponse(response);
                if (server.isComplete()) {
                    if (challenge != null && challenge.length > 0) {
                        finalChallengeSent = true; // e.g. SCRAM's server-final: send it, await "" then 235
                        return Optional.of("334 " + Base64.getEncoder().encodeToString(challenge));
                    }
                    return Optional.empty();
                }
                return Optional.of("334 " + Base64.getEncoder().encodeToString(challenge == null ? new byte[0] : challenge));
            } catch (SaslException e) {
                throw new RejectException(535, "5.7.8 Authentication credentials invalid");
            }
        }

        private byte[] decode(String text) throws RejectException {
            try {
                return Base64.getDecoder().decode(text.getBytes(StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                throw new RejectException(501, "5.5.2 Cannot decode response");
            }
        }

        @Override
        public Object getIdentity() {
            return server != null && server.isComplete() ? server.getAuthorizationID() : null;
        }
    }
}
