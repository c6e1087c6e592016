package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Debian's own {@code testsaslauthd} (package sasl2-bin) against the daemon. The tool is required:
 * without it the test fails (scripts/install-test-deps.sh installs it), it never skips.
 */
class TestsaslauthdInteropTest {
    private static final Path TOOL = Path.of("/usr/sbin/testsaslauthd");
    private DaemonFixture fx;

    @BeforeEach
    void start() throws Exception {
        assertTrue(Files.isExecutable(TOOL), TOOL + " is missing: run scripts/install-test-deps.sh (Debian package sasl2-bin)");
        fx = DaemonFixture.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void acceptedRejectedAndRepeated() throws Exception {
        assertEquals(new Result(0, "0: OK \"Success.\""), run("-u", "alice", "-p", "alicepw", "-s", "smtp"));
        assertEquals(new Result(255, "0: NO \"authentication failed\""), run("-u", "alice", "-p", "nope"));
        assertEquals(new Result(0, "0: OK \"Success.\""), run("-u", "bob", "-p", "bob pw ✓", "-r", "other.test"));
        assertEquals(new Result(0, "0: OK \"Success.\""), run("-u", "argon", "-p", "argonpw"));
        Result r = run("-u", "alice", "-p", "alicepw", "-R", "50");
        assertEquals(0, r.rc);
        assertEquals(50, r.out.lines().filter(l -> l.endsWith(": OK \"Success.\"")).count());
    }

    private Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(TOOL.toString(), "-f", fx.saslauthd().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return new Result(p.waitFor(), out);
    }

    record Result(int rc, String out) {}
}
