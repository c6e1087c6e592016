package org.sasldb4j.auxprop.daemon;

import java.nio.file.Path;
import java.security.Security;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.auxprop.sasl.BridgeCallbackHandler;
import org.sasldb4j.auxprop.sasl.SaslDb4jProvider;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.secret.PasswordVerifier;

/**
 * The real backend: one {@link AuxpropBridge} over the store, opened read-only with the
 * permission check for secrets (a world-readable store is refused, so the daemon does not
 * start on it). Mechanisms come from {@link Sasl#createSaslServer} with the sasldb4j provider
 * first in line; plaintext checks go to {@link AuxpropBridge#verify}. Every lookup is a fresh
 * read transaction, so a change made with {@code saslpasswd} counts from the next login.
 */
final class BridgeBackend implements AuthBackend {
    static {
        // Ahead of SunSASL, whose CRAM-MD5 cannot use a stored CRAM-MD5 context.
        if (Security.getProvider(SaslDb4jProvider.NAME) == null) {
            Security.insertProviderAt(new SaslDb4jProvider(), 1);
        }
    }

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
        return new BridgeBackend(AuxpropBridge.open(store, config), serverName);
    }

    @Override
    public MechanismFactory mechanisms() {
        return this::create;
    }

    private SaslServer create(String mechanism, AuthContext ctx) throws SaslException {
        SaslServer s = Sasl.createSaslServer(mechanism, ctx.service(), serverName, null, handler);
        if (s == null) {
            throw new SaslException(mechanism + ": no SASL server available");
        }
        return s;
    }

    @Override
    public PasswordCheck passwords() {
        return (login, password) -> {
            try {
                PasswordVerifier.Outcome o = bridge.verify(login, null, password);
                return o.authenticated() ? CheckResult.OK : CheckResult.FAIL;
            } catch (StoreException e) {
                AuthLog.LOGGER.warning(() -> "store read failed: " + e.getMessage());
                return CheckResult.TEMP_FAIL;
            }
        };
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
