package org.sasldb4j.auxprop.daemon;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.RealmCallback;
import javax.security.sasl.RealmChoiceCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import org.sasldb4j.store.secret.PasswordChars;
import org.sasldb4j.store.secret.Wipe;

/**
 * The client side of one SASL exchange, as an SMTP client runs it, for {@code sasldb-authd
 * test-login}: PLAIN and LOGIN written here (a few bytes each), CRAM-MD5 and DIGEST-MD5 by the
 * JDK's own clients, SCRAM by {@link ScramLoginClient}. Using clients other than the daemon's
 * servers means a login that works here works for a real client.
 *
 * <p>Security: holds a copy of the password, wiped by {@link #close()}; never prints it.
 */
abstract class LoginClient implements AutoCloseable {
    /** Mechanisms the tester can run, in the order the help lists them. */
    static final java.util.List<String> MECHANISMS =
            java.util.List.of("PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256");

    final String user;
    final byte[] password;

    LoginClient(String user, byte[] password) {
        this.user = user;
        this.password = password.clone();
    }

    /**
     * A client for {@code mechanism} (case-insensitive).
     *
     * @param serverName the host name a DIGEST-MD5 response names when the challenge offers no realm
     * @throws IllegalArgumentException for a mechanism the tester does not know
     */
    static LoginClient create(String mechanism, String user, byte[] password, String serverName) {
        String m = mechanism.toUpperCase(Locale.ROOT);
        return switch (m) {
            case "PLAIN" -> new Plain(user, password);
            case "LOGIN" -> new Login(user, password);
            case "CRAM-MD5", "DIGEST-MD5" -> new Jdk(m, user, password, serverName);
            case "SCRAM-SHA-1", "SCRAM-SHA-256" -> new ScramLoginClient(m, user, password);
            default -> throw new IllegalArgumentException("unknown mechanism '" + mechanism + "'; known: "
                    + String.join(" ", MECHANISMS));
        };
    }

    /** The mechanism's name, upper case. */
    abstract String mechanism();

    /**
     * The initial response an SMTP client sends with {@code AUTH}; empty if it waits for a
     * challenge (no mechanism here has an empty initial response).
     */
    abstract byte[] initialResponse() throws SaslException;

    /** The answer to one challenge (empty for "nothing to say"). */
    abstract byte[] evaluate(byte[] challenge) throws SaslException;

    /**
     * After the server said OK: false if the mechanism authenticates the server too (SCRAM,
     * DIGEST-MD5) and the server's proof was missing or wrong.
     */
    boolean serverVerified() {
        return true;
    }

    @Override
    public void close() {
        Wipe.bytes(password);
    }

    /** {@code authzid NUL authcid NUL password}, with an empty authzid (act as oneself). */
    static final class Plain extends LoginClient {
        Plain(String user, byte[] password) {
            super(user, password);
        }

        @Override
        String mechanism() {
            return "PLAIN";
        }

        @Override
        byte[] initialResponse() {
            byte[] u = user.getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[2 + u.length + password.length];
            System.arraycopy(u, 0, out, 1, u.length);
            System.arraycopy(password, 0, out, 2 + u.length, password.length);
            return out;
        }

        @Override
        byte[] evaluate(byte[] challenge) {
            return initialResponse();
        }
    }

    /** The user name at the first challenge ("Username:"), the password at the second. */
    static final class Login extends LoginClient {
        private int step;

        Login(String user, byte[] password) {
            super(user, password);
        }

        @Override
        String mechanism() {
            return "LOGIN";
        }

        @Override
        byte[] initialResponse() {
            return new byte[0];
        }

        @Override
        byte[] evaluate(byte[] challenge) throws SaslException {
            return switch (step++) {
                case 0 -> user.getBytes(StandardCharsets.UTF_8);
                case 1 -> password.clone();
                default -> throw new SaslException("LOGIN: the server asked a third question");
            };
        }
    }

    /**
     * The JDK's CRAM-MD5 or DIGEST-MD5 client. DIGEST-MD5's is made at the first challenge, so
     * that its digest-uri names the realm the server offers (the daemon's server name).
     */
    static final class Jdk extends LoginClient {
        private static final Pattern REALM = Pattern.compile("(?:^|,)\\s*realm=\"([^\"]*)\"");
        private final String mech;
        private final String serverName;
        private SaslClient client;

        Jdk(String mech, String user, byte[] password, String serverName) {
            super(user, password);
            this.mech = mech;
            this.serverName = serverName;
        }

        @Override
        String mechanism() {
            return mech;
        }

        @Override
        byte[] initialResponse() {
            return new byte[0];
        }

        @Override
        byte[] evaluate(byte[] challenge) throws SaslException {
            if (client == null) {
                String host = serverName;
                if (mech.equals("DIGEST-MD5")) {
                    Matcher m = REALM.matcher(new String(challenge, StandardCharsets.ISO_8859_1));
                    if (m.find()) {
                        host = m.group(1);
                    }
                }
                Map<String, Object> props = new HashMap<>();
                props.put(Sasl.QOP, "auth");
                client = Sasl.createSaslClient(new String[] {mech}, null, "smtp", host, props, this::handle);
                if (client == null) {
                    throw new SaslException(mech + ": this Java runtime has no client for it");
                }
            }
            byte[] out = client.evaluateChallenge(challenge);
            return out == null ? new byte[0] : out;
        }

        @Override
        boolean serverVerified() {
            return client != null && client.isComplete();
        }

        private void handle(Callback[] callbacks) throws UnsupportedCallbackException {
            for (Callback c : callbacks) {
                if (c instanceof NameCallback n) {
                    n.setName(user);
                } else if (c instanceof PasswordCallback p) {
                    // The bytes as characters the JDK encodes back to the same bytes (UTF-8, or
                    // ISO 8859-1 for a legacy password), as the daemon's DIGEST-MD5 server reads them.
                    char[] chars = PasswordChars.of(password);
                    p.setPassword(chars);
                    Wipe.chars(chars);
                } else if (c instanceof RealmCallback r) {
                    r.setText(r.getDefaultText());
                } else if (c instanceof RealmChoiceCallback r) {
                    r.setSelectedIndex(0);
                } else {
                    throw new UnsupportedCallbackException(c);
                }
            }
        }

        @Override
        public void close() {
            if (client != null) {
                try {
                    client.dispose();
                } catch (SaslException e) {
                    // nothing held that matters
                }
            }
            super.close();
        }
    }
}
