package org.sasldb4j.auxprop.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.auxprop.CanonicalUser;
import org.sasldb4j.auxprop.sasl.BridgeCallbackHandler;
import org.sasldb4j.auxprop.sasl.BridgeSaslServerFactory;
import org.sasldb4j.cli.StoreAdvice;
import org.sasldb4j.cli.StorePaths;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.secret.ScramSaltKey;

/**
 * One login checked against the store itself, without a daemon: the same auxprop bridge and SASL
 * servers the daemon uses, opened read-only, run against the client side in this process; then
 * the user's records are read again (read-only) to say which secret served the login or why it
 * failed ({@link SecretExplanation}).
 *
 * <p>The bridge's answer decides the outcome; the explanation only describes it.
 */
final class StoreLogin {
    /** A mechanism needing more round trips than this is broken. */
    private static final int MAX_STEPS = 8;

    private StoreLogin() {}

    /**
     * Runs the login.
     *
     * @param serverName the host name of CRAM-MD5 challenges and the DIGEST-MD5 realm (the daemon's realm)
     */
    static LoginVerdict run(StorePaths.Resolved store, BridgeConfig config, String serverName, LoginClient client) {
        String given = client.user;
        AuxpropBridge bridge;
        try {
            bridge = store.isServer() ? AuxpropBridge.over(openRead(store), config, ScramSaltKey.random())
                    : AuxpropBridge.open(store.path(), config);
        } catch (StoreException e) {
            return LoginVerdict.unavailable(given, StoreAdvice.message(e));
        }
        CanonicalUser user;
        String failure;
        boolean temporary = false;
        try (bridge) {
            Optional<CanonicalUser> c = bridge.canonicalize(given);
            if (c.isEmpty()) {
                return LoginVerdict.refused(given, "the name is empty, holds a NUL or is longer than 1024 bytes");
            }
            user = c.get();
            failure = null;
            try {
                exchange(bridge, serverName, client);
            } catch (SaslException | RuntimeException e) {
                temporary = Failures.isTemporary(e);
                failure = temporary ? "temporary error: " + cause(e) : e.getMessage();
            }
        }
        if (temporary) {
            return LoginVerdict.temporary(user.toString(), failure);
        }
        List<Entry> records;
        try (CredentialStore s = openRead(store)) {
            records = new ArrayList<>(s.user(user.userId()));
        } catch (StoreException e) {
            return LoginVerdict.temporary(user.toString(), "temporary error: " + StoreAdvice.message(e));
        }
        try {
            SecretExplanation why = SecretExplanation.of(client.mechanism(), records, client.password);
            if (failure == null) {
                return LoginVerdict.ok(user.toString(), why.serving());
            }
            String reason = why.failure();
            return LoginVerdict.refused(user.toString(), reason != null ? reason : failure);
        } finally {
            records.forEach(Entry::wipe);
        }
    }

    /** The store, read-only with its secrets: a file, or a database on a server (PostgreSQL). */
    private static CredentialStore openRead(StorePaths.Resolved store) {
        StoreOptions read = StoreOptions.readOnly().readingSecrets();
        return store.isServer() ? CredentialStore.open(store.name(), read) : CredentialStore.open(store.path(), read);
    }

    /**
     * The exchange as the daemon's Dovecot connection drives it: an initial response when the
     * client has one and the mechanism takes it, challenges answered until the server completes,
     * and a final server message (SCRAM's signature, DIGEST-MD5's rspauth) given to the client.
     *
     * @throws SaslException if the server refuses or the client finds the server's proof wrong
     */
    private static void exchange(AuxpropBridge bridge, String serverName, LoginClient client) throws SaslException {
        String mech = client.mechanism();
        SaslServer server = new BridgeSaslServerFactory().createSaslServer(mech, "smtp", serverName, null,
                BridgeCallbackHandler.of(bridge));
        if (server == null) {
            throw new SaslException(mech + ": no SASL server for it");
        }
        try {
            Mechanism m = Mechanism.KNOWN.get(mech);
            byte[] data = client.initialResponse();
            if (data.length == 0 || m.start() == Mechanism.Start.SERVER_FIRST) {
                data = m.start() == Mechanism.Start.CLIENT_FIRST ? client.evaluate(new byte[0]) : new byte[0];
            }
            byte[] challenge = server.evaluateResponse(data);
            for (int steps = 0; !server.isComplete(); steps++) {
                if (steps == MAX_STEPS) {
                    throw new SaslException(mech + ": more than " + MAX_STEPS + " round trips");
                }
                challenge = server.evaluateResponse(client.evaluate(challenge == null ? new byte[0] : challenge));
            }
            if (challenge != null && challenge.length > 0) {
                client.evaluate(challenge);
            }
            if (!client.serverVerified()) {
                throw new SaslException(mech + ": the server's proof is missing");
            }
        } finally {
            server.dispose();
        }
    }

    /** The innermost message of a temporary failure, e.g. the store's "cannot read ...". */
    private static String cause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c instanceof StoreException s ? StoreAdvice.message(s) : String.valueOf(c.getMessage());
    }
}
