package org.sasldb4j.auxprop.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.security.sasl.SaslException;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.CanonicalUser;
import org.sasldb4j.auxprop.LoginDiagnosis;
import org.sasldb4j.store.secret.PasswordVerifier.Outcome;
import org.sasldb4j.store.secret.Wipe;

/**
 * The non-standard LOGIN mechanism (draft-murchison-sasl-login): challenge {@code Username:},
 * then {@code Password:}; a client may send the user name as initial response. Verified like
 * PLAIN; there is no authorization id.
 *
 * <p><b>Security:</b> user name bounded to 1024 bytes, password to 8191; the password is wiped
 * after verification. Use only inside TLS.
 */
final class LoginServer extends AbstractServer {
    static final int MAX_USER = 1024;
    static final int MAX_PASSWORD = 8191;
    static final byte[] USERNAME = "Username:".getBytes(StandardCharsets.US_ASCII);
    static final byte[] PASSWORD = "Password:".getBytes(StandardCharsets.US_ASCII);

    private boolean askedUser;
    private String user;

    LoginServer(AuxpropBridge bridge, String userRealm) {
        super("LOGIN", bridge, userRealm);
    }

    @Override
    byte[] step(byte[] response) throws SaslException {
        if (user == null) {
            if (response.length == 0 && !askedUser) {
                askedUser = true;
                return USERNAME.clone();
            }
            if (response.length == 0 || response.length > MAX_USER) {
                throw new SaslException("LOGIN: user name empty or longer than " + MAX_USER + " bytes");
            }
            user = Utf8.decode(response, "LOGIN user name");
            return PASSWORD.clone();
        }
        if (response.length == 0 || response.length > MAX_PASSWORD) {
            throw new SaslException("LOGIN: password empty or longer than " + MAX_PASSWORD + " bytes");
        }
        byte[] password = response.clone();
        try {
            CanonicalUser u = canonical(user);
            Optional<LoginDiagnosis.Reason> why = whyNot(u);
            Outcome outcome = u == null ? bridge.verify(user, userRealm, password) : bridge.verify(u, password);
            if (u == null || !outcome.authenticated()) {
                diagnose(why);
                throw failure();
            }
            succeed(u);
            return null;
        } finally {
            Wipe.bytes(password);
        }
    }
}
