package org.sasldb4j.auxprop.sasl;

import java.util.Optional;
import javax.security.sasl.SaslException;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.CanonicalUser;
import org.sasldb4j.auxprop.LoginDiagnosis;
import org.sasldb4j.store.secret.PasswordVerifier.Outcome;
import org.sasldb4j.store.secret.Wipe;

/**
 * SASL PLAIN server (RFC 4616): one message {@code [authzid] NUL authcid NUL passwd}, verified
 * with {@link AuxpropBridge#verify} (so any stored secret serves it).
 *
 * <p><b>Security:</b> the message is refused above {@link #MAX_MESSAGE} bytes before parsing; the
 * password bytes are wiped after verification. Use PLAIN only inside TLS.
 */
final class PlainServer extends AbstractServer {
    /** authzid and authcid (1024 each, Cyrus's canonical buffer) + password (8191) + 2 NULs. */
    static final int MAX_MESSAGE = 1024 + 1024 + 8191 + 2;

    private boolean challenged;

    PlainServer(AuxpropBridge bridge, String userRealm) {
        super("PLAIN", bridge, userRealm);
    }

    @Override
    byte[] step(byte[] response) throws SaslException {
        if (response.length == 0 && !challenged) {
            challenged = true; // no initial response: send an empty challenge, wait for the message
            return new byte[0];
        }
        Parsed p = parse(response);
        try {
            CanonicalUser user = canonical(p.authcid);
            Optional<LoginDiagnosis.Reason> why = whyNot(user);
            Outcome outcome = user == null
                    ? bridge.verify(p.authcid, userRealm, p.password) // dummy work, NO_SUCH_USER
                    : bridge.verify(user, p.password);
            if (user == null || !outcome.authenticated()) {
                diagnose(why);
                throw failure();
            }
            authorizeAndSucceed(user, p.authzid);
            return null;
        } finally {
            Wipe.bytes(p.password);
        }
    }

    record Parsed(String authzid, String authcid, byte[] password) {
        @Override
        public String toString() {
            return "Parsed[" + authcid + "]";
        }
    }

    /** Splits the message; the returned password is a copy the caller wipes. */
    static Parsed parse(byte[] m) throws SaslException {
        if (m.length == 0 || m.length > MAX_MESSAGE) {
            throw new SaslException("PLAIN: message empty or longer than " + MAX_MESSAGE + " bytes");
        }
        int first = indexOfNul(m, 0);
        int second = first < 0 ? -1 : indexOfNul(m, first + 1);
        if (first < 0 || second < 0 || indexOfNul(m, second + 1) >= 0) {
            throw new SaslException("PLAIN: message does not have exactly two NUL separators");
        }
        if (second == first + 1) {
            throw new SaslException("PLAIN: empty authentication id");
        }
        if (second == m.length - 1) {
            throw new SaslException("PLAIN: empty password");
        }
        String authzid = Utf8.decode(java.util.Arrays.copyOfRange(m, 0, first), "PLAIN authzid");
        String authcid = Utf8.decode(java.util.Arrays.copyOfRange(m, first + 1, second), "PLAIN authcid");
        byte[] password = java.util.Arrays.copyOfRange(m, second + 1, m.length);
        return new Parsed(authzid, authcid, password);
    }

    private static int indexOfNul(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
