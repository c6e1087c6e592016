package org.sasldb4j.auxprop.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.RealmCallback;
import javax.security.sasl.RealmChoiceCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

/** Drives a JDK {@link SaslClient} against a {@link SaslServer} in memory. */
final class Exchange {
    private Exchange() {}

    static CallbackHandler clientCallbacks(String user, String password) {
        return (Callback[] cbs) -> {
            for (Callback c : cbs) {
                if (c instanceof NameCallback n) {
                    n.setName(user);
                } else if (c instanceof PasswordCallback p) {
                    p.setPassword(password.toCharArray());
                } else if (c instanceof RealmChoiceCallback r) {
                    r.setSelectedIndex(0);
                } else if (c instanceof RealmCallback r) {
                    r.setText(r.getDefaultText());
                }
            }
        };
    }

    /** Runs the exchange; returns normally if the server completed, throws its SaslException otherwise. */
    static void run(SaslClient client, SaslServer server) throws SaslException {
        byte[] toServer = client.hasInitialResponse() ? client.evaluateChallenge(new byte[0]) : new byte[0];
        for (int round = 0; round < 10; round++) {
            byte[] challenge = server.evaluateResponse(toServer);
            if (server.isComplete()) {
                if (challenge != null && !client.isComplete()) {
                    client.evaluateChallenge(challenge);
                }
                return;
            }
            toServer = client.evaluateChallenge(challenge == null ? new byte[0] : challenge);
        }
        throw new AssertionError("no end after 10 rounds");
    }

    static SaslClient jdkClient(String mechanism, String authzid, String user, String password) throws SaslException {
        SaslClient c = Sasl.createSaslClient(new String[] {mechanism}, authzid, "smtp", "vm",
                Map.of(), clientCallbacks(user, password));
        if (c == null) {
            throw new AssertionError("no JDK client for " + mechanism);
        }
        return c;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
