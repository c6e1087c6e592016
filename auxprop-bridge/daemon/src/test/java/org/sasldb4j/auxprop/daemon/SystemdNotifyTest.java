package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.LogLines;

/**
 * The readiness message's failure paths, with the real systemd-notify: not under systemd,
 * nothing is run or logged; a $NOTIFY_SOCKET nobody listens on is one warning line, and the
 * daemon goes on (SystemdLifecycleIT covers the message arriving).
 */
class SystemdNotifyTest {
    @TempDir
    Path dir;

    private final List<String> logged = new ArrayList<>();

    @Test
    void notUnderSystemdSendsNothing() {
        Handler capture = new LogLines(logged, m -> true);
        AuthLog.LOGGER.addHandler(capture);
        try {
            assertFalse(SystemdNotify.ready(null));
            assertFalse(SystemdNotify.ready(""));
        } finally {
            AuthLog.LOGGER.removeHandler(capture);
        }
        assertEquals(List.of(), logged);
    }

    @Test
    void unreachableNotifySocketIsOneWarningLine() {
        Handler capture = new LogLines(logged, m -> true);
        AuthLog.LOGGER.addHandler(capture);
        try {
            assertFalse(SystemdNotify.ready(dir.resolve("nobody-listens").toString()));
        } finally {
            AuthLog.LOGGER.removeHandler(capture);
        }
        synchronized (logged) {
            assertEquals(1, logged.size(), logged::toString);
            assertTrue(logged.get(0).startsWith("WARNING $NOTIFY_SOCKET is set but READY=1 was not sent: "
                    + "systemd-notify --ready exited with status "), logged::toString);
            assertFalse(logged.get(0).contains("\n"), "one line");
        }
    }
}
