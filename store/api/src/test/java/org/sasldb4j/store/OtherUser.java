package org.sasldb4j.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Commands run as another user (nobody, through setpriv from util-linux), so a test can plant
 * files and links the way an attacker would: shared by the store's and the daemon's planted-link
 * tests through this module's test-jar. Needs root, as those tests do.
 */
public final class OtherUser {
    /** nobody's uid and gid on Debian. */
    public static final int NOBODY = 65534;

    private OtherUser() {}

    /** Runs {@code cmd} as nobody; fails the test if it fails. */
    public static void asNobody(String... cmd) {
        List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        c.addAll(List.of(cmd));
        run(c);
    }

    /** Runs {@code cmd} as this user; fails the test if it fails. */
    public static void run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), UTF_8);
            assertEquals(0, p.waitFor(), cmd + " failed: " + out);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd + " (setpriv comes with util-linux): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
