package org.sasldb4j.auxprop.daemon;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A fresh default {@link DaemonFixture} around every test of a protocol test class; a test may
 * close {@link #fx} and start another in its place, which is then the one closed after it.
 */
abstract class WithDaemon {
    protected DaemonFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = DaemonFixture.start();
    }

    @AfterEach
    void stop() throws Exception {
        fx.close();
    }
}
