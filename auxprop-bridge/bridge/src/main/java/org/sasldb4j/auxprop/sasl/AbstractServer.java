package org.sasldb4j.auxprop.sasl;

import java.util.Optional;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.CanonicalUser;
import org.sasldb4j.auxprop.LoginDiagnosis;

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
    /** Where this exchange's failure is explained, or null (nothing recorded, nothing extra looked up). */
    private LoginDiagnosis diagnosis;

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
            if (diagnosis != null && e instanceof SaslException) {
                // A step that failed without naming a reason rejected the message itself.
                diagnosis.failedUnlessExplained(LoginDiagnosis.Reason.MALFORMED_REQUEST);
            }
            dispose();
            // A bug or an unexpected input must not surface as anything but a SASL failure.
            throw e instanceof SaslException se ? se : new SaslException(mechanism + ": internal error", e);
        }
    }

    /** Makes this exchange explain its failure in {@code d} (null: not at all). */
    final AbstractServer diagnosedBy(LoginDiagnosis d) {
        this.diagnosis = d;
        return this;
    }

    /** The canonical form of the name the client sent, or null; recorded in the diagnosis with its realm rule. */
    final CanonicalUser canonical(String name) {
        CanonicalUser u = bridge.canonicalize(name, userRealm).orElse(null);
        if (diagnosis != null && u != null) {
            String realm = userRealm != null ? userRealm : bridge.config().userRealm();
            diagnosis.lookedUp(u, LoginDiagnosis.RealmRule.of(name, realm));
        }
        return u;
    }

    /**
     * Why {@code user} cannot log in with this mechanism whatever the password (see
     * {@link AuxpropBridge#whyNot}); only looked up when a diagnosis is wanted, and then for
     * every user alike, before the proof is checked.
     */
    final Optional<LoginDiagnosis.Reason> whyNot(CanonicalUser user) {
        if (diagnosis == null) {
            return Optional.empty();
        }
        return user == null ? Optional.of(LoginDiagnosis.Reason.UNKNOWN_USER) : bridge.whyNot(user, mechanism);
    }

    /** Records why the exchange fails: {@code why}, else a wrong password. */
    final void diagnose(Optional<LoginDiagnosis.Reason> why) {
        if (diagnosis != null) {
            diagnosis.failed(why.orElse(LoginDiagnosis.Reason.WRONG_PASSWORD));
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
        Optional<CanonicalUser> as = bridge.authorize(authenticated, authzid, userRealm);
        if (as.isEmpty()) {
            diagnose(Optional.of(LoginDiagnosis.Reason.NOT_AUTHORIZED));
            throw new SaslException(mechanism + ": authorization failed");
        }
        succeed(as.get());
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
