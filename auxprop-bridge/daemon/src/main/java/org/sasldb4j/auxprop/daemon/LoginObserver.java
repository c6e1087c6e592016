package org.sasldb4j.auxprop.daemon;

/**
 * Told of every finished authentication, once, on the thread that ended it (a connection's thread
 * or the timer's). Implementations are thread-safe, fast and never block: they run before the
 * reply is written.
 */
@FunctionalInterface
interface LoginObserver {
    /** Called once per finished authentication; must not throw. */
    void loginFinished(LoginEvent event);
}
