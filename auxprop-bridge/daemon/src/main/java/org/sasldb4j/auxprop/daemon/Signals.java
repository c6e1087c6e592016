package org.sasldb4j.auxprop.daemon;

import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * SIGHUP and SIGTERM/SIGINT handling through {@code sun.misc.Signal} (module jdk.unsupported,
 * on the class path by default): the JVM's own handling would only run shutdown hooks for TERM
 * and would kill the process on HUP.
 */
final class Signals {
    private static final Logger LOG = Logger.getLogger("org.sasldb4j.authd");

    private Signals() {}

    /**
     * @param reload run on SIGHUP (in its own thread: the signal thread must not block)
     * @param stop run on SIGTERM and SIGINT
     */
    static void install(Runnable reload, Runnable stop) {
        handle("HUP", () -> {
            LOG.info("SIGHUP: reloading");
            Thread t = new Thread(reload, "authd-reload");
            t.setDaemon(true);
            t.start();
        });
        handle("TERM", () -> {
            LOG.info("SIGTERM: stopping");
            stop.run();
        });
        handle("INT", () -> {
            LOG.info("SIGINT: stopping");
            stop.run();
        });
    }

    private static void handle(String name, Runnable action) {
        try {
            Signal.handle(new Signal(name), s -> action.run());
        } catch (IllegalArgumentException e) {
            LOG.warning(() -> "cannot handle SIG" + name + ": " + e.getMessage());
        }
    }
}
