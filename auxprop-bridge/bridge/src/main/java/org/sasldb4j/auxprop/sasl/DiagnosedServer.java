package org.sasldb4j.auxprop.sasl;

import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.sasldb4j.auxprop.LoginDiagnosis;

/**
 * The JDK's DIGEST-MD5 server, whose failures before the password callback (the handler
 * explains the rest) are the client's malformed messages. Delegates everything else unchanged.
 */
final class DiagnosedServer implements SaslServer {
    private final SaslServer server;
    private final LoginDiagnosis diagnosis;

    DiagnosedServer(SaslServer server, LoginDiagnosis diagnosis) {
        this.server = server;
        this.diagnosis = diagnosis;
    }

    @Override
    public String getMechanismName() {
        return server.getMechanismName();
    }

    @Override
    public byte[] evaluateResponse(byte[] response) throws SaslException {
        try {
            return server.evaluateResponse(response);
        } catch (SaslException e) {
            diagnosis.failedUnlessExplained(LoginDiagnosis.Reason.MALFORMED_REQUEST);
            throw e;
        }
    }

    @Override
    public boolean isComplete() {
        return server.isComplete();
    }

    @Override
    public String getAuthorizationID() {
        return server.getAuthorizationID();
    }

    @Override
    public byte[] unwrap(byte[] incoming, int offset, int len) throws SaslException {
        return server.unwrap(incoming, offset, len);
    }

    @Override
    public byte[] wrap(byte[] outgoing, int offset, int len) throws SaslException {
        return server.wrap(outgoing, offset, len);
    }

    @Override
    public Object getNegotiatedProperty(String propName) {
        return server.getNegotiatedProperty(propName);
    }

    @Override
    public void dispose() throws SaslException {
        server.dispose();
    }

    @Override
    public String toString() {
        return "DiagnosedServer[" + server + "]";
    }
}
