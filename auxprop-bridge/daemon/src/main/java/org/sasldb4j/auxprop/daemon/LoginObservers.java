package org.sasldb4j.auxprop.daemon;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The observers of finished logins (the log line first), told in the order they were added. */
final class LoginObservers {
    private static final Logger LOG = Logger.getLogger("org.sasldb4j.authd");
    private final List<LoginObserver> observers = new CopyOnWriteArrayList<>();

    /** With the authentication log line as the first observer. */
    static LoginObservers withLog() {
        LoginObservers o = new LoginObservers();
        o.add(AuthLog::authentication);
        return o;
    }

    void add(LoginObserver observer) {
        observers.add(observer);
    }

    /** Tells every observer; one that throws is logged and does not stop the others. */
    void finished(LoginEvent event) {
        for (LoginObserver o : observers) {
            try {
                o.loginFinished(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "login observer failed: " + Failures.describe(e), e);
            }
        }
    }
}
