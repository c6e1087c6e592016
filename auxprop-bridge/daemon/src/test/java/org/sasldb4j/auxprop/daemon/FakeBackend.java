package org.sasldb4j.auxprop.daemon;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.AuthorizeCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.sasldb4j.store.StoreException;

/**
 * A backend over an in-memory user table: PLAIN, LOGIN and a SCRAM stand-in written here, and
 * the JDK's own CRAM-MD5 server. Users are {@code name@realm}; a login without {@code @} gets
 * the default realm.
 */
final class FakeBackend implements AuthBackend {
    final Map<String, String> passwords = new HashMap<>();
    /** Users with only a hash: PLAIN/LOGIN work, CRAM-MD5 cannot. */
    final Map<String, String> hashedOnly = new HashMap<>();
    final String defaultRealm;
    volatile boolean broken;
    final AtomicInteger checks = new AtomicInteger();
    /** When set, every verification stops at this gate (tests order requests with it, not with sleeps). */
    volatile Gate gate;
    /** When set, run by every verification (tests advance a fake clock with it: a check that costs time). */
    volatile Runnable onCheck;
    volatile boolean closed;

    FakeBackend(String defaultRealm) {
        this.defaultRealm = defaultRealm;
    }

    FakeBackend user(String id, String password) {
        passwords.put(canonical(id), password);
        return this;
    }

    FakeBackend hashedUser(String id, String password) {
        hashedOnly.put(canonical(id), password);
        return this;
    }

    String canonical(String login) {
        return login.indexOf('@') < 0 ? login + "@" + defaultRealm : login;
    }

    CheckResult verify(String login, char[] password) {
        checks.incrementAndGet();
        if (broken) {
            throw new StoreException("store unreadable (test)");
        }
        Gate g = gate;
        if (g != null) {
            g.pass();
        }
        Runnable hook = onCheck;
        if (hook != null) {
            hook.run();
        }
        String c = canonical(login);
        String pw = passwords.containsKey(c) ? passwords.get(c) : hashedOnly.get(c);
        return pw != null && Arrays.equals(pw.toCharArray(), password) ? CheckResult.OK : CheckResult.FAIL;
    }

    /** A verification in progress, held until the test releases it. */
    static final class Gate {
        /** Counted down when a verification has reached the gate (and holds whatever it holds). */
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        private void pass() {
            entered.countDown();
            try {
                // Only a hang guard: the test releases the gate long before.
                if (!release.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("test gate never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public MechanismFactory mechanisms() {
        return (mech, ctx) -> switch (mech) {
            case "PLAIN" -> new PlainServer();
            case "LOGIN" -> new LoginServer();
            case "SCRAM-SHA-256", "SCRAM-SHA-1" -> new FinalDataServer(mech);
            case "CRAM-MD5" -> Sasl.createSaslServer("CRAM-MD5", ctx.service(), "localhost", null, this::cramCallbacks);
            default -> throw new SaslException("no " + mech);
        };
    }

    @Override
    public PasswordCheck passwords() {
        return (login, password) -> {
            try {
                char[] chars = new String(password, java.nio.charset.StandardCharsets.UTF_8).toCharArray();
                try {
                    return verify(login, chars);
                } finally {
                    Arrays.fill(chars, '\0');
                }
            } catch (StoreException e) {
                return CheckResult.TEMP_FAIL;
            }
        };
    }

    @Override
    public void close() {
        closed = true;
    }

    private void cramCallbacks(Callback[] cbs) throws UnsupportedCallbackException {
        String name = null;
        for (Callback cb : cbs) {
            if (cb instanceof NameCallback n) {
                name = n.getDefaultName();
            } else if (cb instanceof PasswordCallback p) {
                if (broken) {
                    throw new StoreException("store unreadable (test)");
                }
                String pw = passwords.get(canonical(name));
                // A hashed-only user has no secret CRAM-MD5 can use.
                p.setPassword(pw == null ? null : pw.toCharArray());
            } else if (cb instanceof AuthorizeCallback a) {
                a.setAuthorized(a.getAuthenticationID().equals(a.getAuthorizationID()));
                if (a.isAuthorized()) {
                    a.setAuthorizedID(canonical(a.getAuthenticationID()));
                }
            } else {
                throw new UnsupportedCallbackException(cb);
            }
        }
    }

    private abstract class Base implements SaslServer {
        String authorized;

        @Override
        public boolean isComplete() {
            return authorized != null;
        }

        @Override
        public String getAuthorizationID() {
            if (authorized == null) {
                throw new IllegalStateException("not complete");
            }
            return authorized;
        }

        @Override
        public byte[] unwrap(byte[] incoming, int offset, int len) {
            throw new IllegalStateException();
        }

        @Override
        public byte[] wrap(byte[] outgoing, int offset, int len) {
            throw new IllegalStateException();
        }

        @Override
        public Object getNegotiatedProperty(String propName) {
            return null;
        }

        @Override
        public void dispose() {}

        void check(String login, byte[] password) throws SaslException {
            char[] pw = new String(password, StandardCharsets.UTF_8).toCharArray();
            CheckResult r;
            try {
                r = verify(login, pw);
            } catch (StoreException e) {
                throw new SaslException("internal error", e);
            }
            if (r != CheckResult.OK) {
                throw new SaslException("authentication failed");
            }
            authorized = canonical(login);
        }
    }

    private final class PlainServer extends Base {
        @Override
        public String getMechanismName() {
            return "PLAIN";
        }

        @Override
        public byte[] evaluateResponse(byte[] r) throws SaslException {
            String s = new String(r, StandardCharsets.UTF_8);
            String[] parts = s.split("\0", -1);
            if (parts.length != 3) {
                throw new SaslException("malformed PLAIN");
            }
            check(parts[1], parts[2].getBytes(StandardCharsets.UTF_8));
            return null;
        }
    }

    private final class LoginServer extends Base {
        private String user;
        private boolean asked;

        @Override
        public String getMechanismName() {
            return "LOGIN";
        }

        @Override
        public byte[] evaluateResponse(byte[] r) throws SaslException {
            if (user == null) {
                if (r.length == 0 && !asked) {
                    asked = true;
                    return "Username:".getBytes(StandardCharsets.US_ASCII);
                }
                user = new String(r, StandardCharsets.UTF_8);
                return "Password:".getBytes(StandardCharsets.US_ASCII);
            }
            check(user, r);
            return null;
        }
    }

    /** Completes on the first message "user" with server-final data, like SCRAM's last step. */
    private final class FinalDataServer extends Base {
        private final String mech;

        FinalDataServer(String mech) {
            this.mech = mech;
        }

        @Override
        public String getMechanismName() {
            return mech;
        }

        @Override
        public byte[] evaluateResponse(byte[] r) throws SaslException {
            String u = new String(r, StandardCharsets.UTF_8);
            if (!passwords.containsKey(canonical(u))) {
                throw new SaslException("authentication failed");
            }
            authorized = canonical(u);
            return "v=final".getBytes(StandardCharsets.US_ASCII);
        }
    }
}
