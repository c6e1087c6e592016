package org.sasldb4j.auxprop.daemon;

import java.nio.file.Path;
import java.util.Optional;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import javax.security.sasl.SaslServerFactory;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.auxprop.CanonicalUser;
import org.sasldb4j.auxprop.LoginDiagnosis;
import org.sasldb4j.auxprop.LoginRehash;
import org.sasldb4j.auxprop.sasl.BridgeCallbackHandler;
import org.sasldb4j.auxprop.sasl.BridgeSaslServerFactory;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.secret.PasswordVerifier;
import org.sasldb4j.store.secret.ScramSaltKey;

/**
 * The real backend: one {@link AuxpropBridge} over the store, opened read-only with the
 * permission check for secrets (a world-readable store is refused, so the daemon does not
 * start on it). Mechanisms come from the sasldb4j {@link BridgeSaslServerFactory} (no
 * provider registration, no JDK mechanism in between); plaintext checks go to
 * {@link AuxpropBridge#verify}. Every lookup is a fresh read transaction, so a change made with
 * {@code saslpasswd} counts from the next login.
 */
final class BridgeBackend implements AuthBackend {
    private final AuxpropBridge bridge;
    private final BridgeCallbackHandler handler;
    private final String serverName;

    private BridgeBackend(AuxpropBridge bridge, String serverName) {
        this.bridge = bridge;
        this.handler = BridgeCallbackHandler.of(bridge);
        this.serverName = serverName;
    }

    /**
     * Opens the store.
     *
     * @param serverName the host name in CRAM-MD5 challenges and DIGEST-MD5 realms
     * @throws org.sasldb4j.store.UnsafePermissionsException if others may access the store
     * @throws StoreException if it cannot be opened
     */
    static BridgeBackend open(Path store, BridgeConfig config, String serverName) {
        return open(store, config, serverName, ScramSaltKey.random());
    }

    /**
     * Opens the store with {@code saltKey} for SCRAM salts (see {@link AuxpropBridge#open(Path,
     * BridgeConfig, ScramSaltKey)}); a reload passes the same key, so salts survive it.
     */
    static BridgeBackend open(Path store, BridgeConfig config, String serverName, ScramSaltKey saltKey) {
        return open(store, config, serverName, saltKey, null);
    }

    /**
     * {@link #open(Path, BridgeConfig, String, ScramSaltKey)} with {@code rehash} (null: off): the
     * store is opened read-write and successful PLAIN, LOGIN and saslauthd verifications of users
     * weaker than its target are re-hashed ({@link AuxpropBridge#open(Path, BridgeConfig,
     * ScramSaltKey, java.util.logging.Logger, LoginRehash)}: a store that cannot be opened for
     * writing is served read-only, with one warning).
     */
    static BridgeBackend open(Path store, BridgeConfig config, String serverName, ScramSaltKey saltKey,
            LoginRehash rehash) {
        return new BridgeBackend(AuxpropBridge.open(store, config, saltKey, AuthLog.LOGGER, rehash), serverName);
    }

    /**
     * A backend over a store opened by the caller: a replica ({@code --replica-of}) or the
     * database read directly ({@code -f postgresql://...}). Closing the backend closes the store.
     */
    static BridgeBackend over(org.sasldb4j.store.CredentialStore store, BridgeConfig config, String serverName,
            ScramSaltKey saltKey) {
        return new BridgeBackend(AuxpropBridge.over(store, config, saltKey), serverName);
    }

    /** True if successful logins are re-hashed (on, and the store opened for writing). */
    boolean rehashesAtLogin() {
        return bridge.rehashesAtLogin();
    }

    private static final SaslServerFactory FACTORY = new BridgeSaslServerFactory();

    @Override
    public MechanismFactory mechanisms() {
        return this::create;
    }

    private SaslServer create(String mechanism, AuthContext ctx) throws SaslException {
        // The factory itself, not Sasl.createSaslServer: that walks the security providers and
        // instantiates a factory on every call, i.e. on every AUTH.
        SaslServer s = FACTORY.createSaslServer(mechanism, ctx.service(), serverName, null,
                handler.forExchange(ctx.lookup()));
        if (s == null) {
            throw new SaslException(mechanism + ": no SASL server available");
        }
        return s;
    }

    @Override
    public PasswordCheck passwords() {
        return new PasswordCheck() {
            @Override
            public CheckResult check(String login, byte[] password) {
                try {
                    // Bytes, as PLAIN: the same passwords work on both protocols.
                    PasswordVerifier.Outcome o = bridge.verify(login, null, password);
                    return o.authenticated() ? CheckResult.OK : CheckResult.FAIL;
                } catch (StoreException e) {
                    AuthLog.LOGGER.warning(() -> "store read failed: " + e.getMessage());
                    return CheckResult.TEMP_FAIL;
                }
            }

            @Override
            public CheckResult check(String login, byte[] password, LoginDiagnosis diagnosis) {
                // Looked up for every login before the check, so unknown users cost what known ones do.
                Optional<CanonicalUser> user = bridge.canonicalize(login, null);
                Optional<LoginDiagnosis.Reason> why;
                try {
                    user.ifPresent(u -> diagnosis.lookedUp(u,
                            LoginDiagnosis.RealmRule.of(login, bridge.config().userRealm())));
                    why = user.isEmpty() ? Optional.of(LoginDiagnosis.Reason.UNKNOWN_USER)
                            : bridge.whyNot(user.get(), "saslauthd");
                } catch (StoreException e) {
                    AuthLog.LOGGER.warning(() -> "store read failed: " + e.getMessage());
                    return CheckResult.TEMP_FAIL;
                }
                CheckResult r = check(login, password);
                if (r == CheckResult.FAIL) {
                    diagnosis.failed(why.orElse(LoginDiagnosis.Reason.WRONG_PASSWORD));
                }
                return r;
            }

            @Override
            public byte[] secretsState(String login) {
                return bridge.recordsDigest(login, null);
            }
        };
    }

    @Override
    public org.sasldb4j.store.StoreStats stats() {
        return bridge.storeStats();
    }

    @Override
    public void close() {
        bridge.close();
    }

    @Override
    public String toString() {
        return "BridgeBackend[" + bridge + "]";
    }
}
