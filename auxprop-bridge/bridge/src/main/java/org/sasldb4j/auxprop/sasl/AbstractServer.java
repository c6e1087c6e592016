package org.sasldb4j.auxprop.sasl;

import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.CanonicalUser;

/**
 * What every mechanism here shares: the state machine's end, the authorization id, no security
 * layer (QOP {@code auth} only), and failure that ends the exchange.
 *
 * <p><b>Security:</b> once a step throws, the server is finished and every later call fails, so a
 * client cannot retry within one exchange. Failure messages say "authentication failed" for a
 * wrong password, an unknown user and a disabled account alike.
 */
abstract class AbstractServer implements SaslServer {
    static final String FAILED = "authentication failed";

    final AuxpropBridge bridge;
    final String userRealm;
    private final String mechanism;
    private boolean complete;
    private boolean failed;
    private String authorizationId;

    AbstractServer(String mechanism, AuxpropBridge bridge, String userRealm) {
        this.mechanism = mechanism;
        this.bridge = bridge;
        this.userRealm = userRealm;
    }

    @Override
    public final String getMechanismName() {
        return mechanism;
    }

    @Override
    public final byte[] evaluateResponse(byte[] response) throws SaslException {
        if (complete) {
            throw new SaslException(mechanism + ": exchange already complete");
        }
        if (failed) {
            throw new SaslException(mechanism + ": exchange already failed");
        }
        if (response == null) {
            response = new byte[0];
        }
        try {
            return step(response);
        } catch (SaslException | RuntimeException e) {
            failed = true;
            dispose();
            // A bug or an unexpected input must not surface as anything but a SASL failure.
            throw e instanceof SaslException se ? se : new SaslException(mechanism + ": internal error", e);
        }
    }

    /** One step of the exchange; returns the next challenge. */
    abstract byte[] step(byte[] response) throws SaslException;

    /** Marks success; {@code authorized} becomes {@link #getAuthorizationID()}. */
    final void succeed(CanonicalUser authorized) {
        this.authorizationId = authorized.toString();
        this.complete = true;
    }

    /** Checks the authzid the client asked for and completes, or throws. */
    final void authorizeAndSucceed(CanonicalUser authenticated, String authzid) throws SaslException {
        CanonicalUser as = bridge.authorize(authenticated, authzid, userRealm)
                .orElseThrow(() -> new SaslException(mechanism + ": authorization failed"));
        succeed(as);
    }

    final SaslException failure() {
        return new SaslException(mechanism + ": " + FAILED);
    }

    @Override
    public final boolean isComplete() {
        return complete;
    }

    @Override
    public final String getAuthorizationID() {
        if (!complete) {
            throw new IllegalStateException(mechanism + ": authentication not complete");
        }
        return authorizationId;
    }

    @Override
    public byte[] unwrap(byte[] incoming, int offset, int len) throws SaslException {
        throw new IllegalStateException(mechanism + ": no security layer was negotiated");
    }

    @Override
    public byte[] wrap(byte[] outgoing, int offset, int len) throws SaslException {
        throw new IllegalStateException(mechanism + ": no security layer was negotiated");
    }

    @Override
    public Object getNegotiatedProperty(String propName) {
        if (!complete) {
            throw new IllegalStateException(mechanism + ": authentication not complete");
        }
        return Sasl.QOP.equals(propName) ? "auth" : null;
    }

    @Override
    public void dispose() throws SaslException {}

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (complete ? "complete" : failed ? "failed" : "in progress") + "]";
    }
}
