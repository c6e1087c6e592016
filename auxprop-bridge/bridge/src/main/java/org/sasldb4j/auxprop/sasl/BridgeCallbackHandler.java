package org.sasldb4j.auxprop.sasl;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.AuthorizeCallback;
import javax.security.sasl.RealmCallback;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.CanonicalUser;
import org.sasldb4j.auxprop.LoginDiagnosis;

/**
 * The {@link CallbackHandler} to pass to {@link javax.security.sasl.Sasl#createSaslServer}: it
 * carries the {@link AuxpropBridge} (the {@link SaslDb4jProvider} factories recognise it and
 * serve their mechanisms from the bridge) and the connection's user realm, and it answers the
 * callbacks of the JDK's own DIGEST-MD5 server:
 *
 * <ul>
 *   <li>{@link RealmCallback}, {@link NameCallback}, {@link PasswordCallback} together: the name is
 *       canonicalised with the client's realm as user realm (if it sent one), and the password is
 *       the user's plaintext {@code userPassword}. An unknown user, a disabled account or a user
 *       without plaintext gets a random password, so the exchange fails exactly like a wrong
 *       password.
 *   <li>{@link AuthorizeCallback}: the {@link org.sasldb4j.auxprop.AuthorizationPolicy}.
 * </ul>
 *
 * <p><b>Security:</b> the password handed to the JDK is a {@code char[]} the JDK's
 * {@link PasswordCallback} copies; it is cleared here after the callback.
 */
public final class BridgeCallbackHandler implements CallbackHandler {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AuxpropBridge bridge;
    private final String userRealm;
    /** In a copy for one exchange ({@link #forExchange}): where its failure is explained; else null. */
    private final LoginDiagnosis diagnosis;
    /** In a per-exchange copy ({@link #forOneExchange()}): the realm the DIGEST-MD5 client sent. */
    private String clientRealm;

    private BridgeCallbackHandler(AuxpropBridge bridge, String userRealm) {
        this(bridge, userRealm, null);
    }

    private BridgeCallbackHandler(AuxpropBridge bridge, String userRealm, LoginDiagnosis diagnosis) {
        this.bridge = Objects.requireNonNull(bridge, "bridge");
        this.userRealm = userRealm;
        this.diagnosis = diagnosis;
    }

    /** A handler using the bridge's configured user realm. */
    public static BridgeCallbackHandler of(AuxpropBridge bridge) {
        return new BridgeCallbackHandler(bridge, bridge.config().userRealm());
    }

    /** A handler for a connection with its own {@code user_realm} (null: none). */
    public BridgeCallbackHandler withUserRealm(String realm) {
        return new BridgeCallbackHandler(bridge, realm);
    }

    /**
     * A copy for one DIGEST-MD5 exchange, which remembers the realm the client sent so the
     * {@link AuthorizeCallback} (which carries only the user name) is canonicalised the same way.
     */
    BridgeCallbackHandler forOneExchange() {
        return new BridgeCallbackHandler(bridge, userRealm, diagnosis);
    }

    /**
     * A copy for one exchange whose server records in {@code diagnosis} which user it looked up
     * and why it failed (for the operator's log; the client's answers and the exchange's cost stay
     * the same, see {@link LoginDiagnosis}). Pass it to one {@code createSaslServer} call only.
     */
    public BridgeCallbackHandler forExchange(LoginDiagnosis diagnosis) {
        return new BridgeCallbackHandler(bridge, userRealm, Objects.requireNonNull(diagnosis, "diagnosis"));
    }

    /** The diagnosis of {@link #forExchange}, or null. */
    LoginDiagnosis diagnosis() {
        return diagnosis;
    }

    public AuxpropBridge bridge() {
        return bridge;
    }

    /** The connection's user realm, or null. */
    public String userRealm() {
        return userRealm;
    }

    @Override
    public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        NameCallback name = null;
        PasswordCallback password = null;
        RealmCallback realm = null;
        for (Callback c : callbacks) {
            if (c instanceof NameCallback n) {
                name = n;
            } else if (c instanceof PasswordCallback p) {
                password = p;
            } else if (c instanceof RealmCallback r) {
                realm = r;
            } else if (c instanceof AuthorizeCallback a) {
                authorize(a);
            } else {
                throw new UnsupportedCallbackException(c);
            }
        }
        if (password != null) {
            String n = name == null ? null : name.getName() != null ? name.getName() : name.getDefaultName();
            String r = realm == null ? null : realm.getText() != null ? realm.getText() : realm.getDefaultText();
            clientRealm = r;
            supplyPassword(n, r, password);
        }
    }

    private void supplyPassword(String name, String clientRealm, PasswordCallback callback) {
        Optional<CanonicalUser> user = canonical(name, clientRealm);
        if (diagnosis != null) {
            // Known before the JDK checks the response: if that check fails, this is why.
            user.ifPresent(u -> diagnosis.lookedUp(u, clientRealm != null && !clientRealm.isEmpty()
                    ? LoginDiagnosis.RealmRule.CLIENT_REALM
                    : LoginDiagnosis.RealmRule.of(name, userRealm != null ? userRealm : bridge.config().userRealm())));
            diagnosis.failed(user.map(u -> bridge.whyNot(u, "DIGEST-MD5"))
                    .orElse(Optional.of(LoginDiagnosis.Reason.UNKNOWN_USER))
                    .orElse(LoginDiagnosis.Reason.WRONG_PASSWORD));
        }
        // Drawn for every user, used for those without a password (unknown, disabled): a draw only
        // they paid for made them slower than a plaintext user (UserExistenceTimingIT, DIGEST-MD5).
        char[] random = randomPassword();
        Optional<char[]> stored = user.flatMap(bridge::digestMd5Password);
        char[] chars = stored.orElse(random);
        try {
            callback.setPassword(chars);
        } finally {
            Arrays.fill(random, '\0');
            Arrays.fill(chars, '\0');
        }
    }

    private void authorize(AuthorizeCallback a) {
        // The JDK's DIGEST-MD5 server passes the client's user name (without realm) here.
        Optional<CanonicalUser> authc = canonical(a.getAuthenticationID(), clientRealm);
        String authz = a.getAuthorizationID();
        boolean same = authz == null || authz.equals(a.getAuthenticationID());
        String realm = clientRealm != null && !clientRealm.isEmpty() ? clientRealm : userRealm;
        Optional<CanonicalUser> as = authc.flatMap(u -> bridge.authorize(u, same ? "" : authz, realm));
        a.setAuthorized(as.isPresent());
        if (as.isEmpty() && diagnosis != null) {
            diagnosis.failed(LoginDiagnosis.Reason.NOT_AUTHORIZED);
        }
        as.ifPresent(u -> a.setAuthorizedID(u.toString()));
    }

    private Optional<CanonicalUser> canonical(String name, String clientRealm) {
        if (name == null) {
            return Optional.empty();
        }
        String realm = clientRealm != null && !clientRealm.isEmpty() ? clientRealm : userRealm;
        return bridge.canonicalize(name, realm);
    }

    /** 24 random characters from one draw of random bytes (cheap, like a real user's lookup). */
    private static char[] randomPassword() {
        byte[] r = new byte[24];
        RANDOM.nextBytes(r);
        char[] c = new char[24];
        for (int i = 0; i < c.length; i++) {
            c[i] = (char) ('!' + (r[i] & 0x3f));
        }
        Arrays.fill(r, (byte) 0);
        return c;
    }

    @Override
    public String toString() {
        return "BridgeCallbackHandler[" + bridge + (userRealm == null ? "" : ", user realm '" + userRealm + "'") + "]";
    }
}
