package org.sasldb4j.migration;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.sasldb4j.cli.CliEnvironment;

/** Runs sasldbconvert in-process, as the tests of this module need it. */
final class Harness {
    private Harness() {}

    /** Runs sasldbconvert with empty stdin and host name {@code vm}, into the given buffers. */
    static int convert(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        // Tests never write to the host's syslog; SasldbconvertAuditTest points it at its own socket.
        return convert(out, err, java.util.Map.of("SASLDB4J_SYSLOG_SOCKET", "none"), args);
    }

    /** {@link #convert} with the given environment. */
    static int convert(ByteArrayOutputStream out, ByteArrayOutputStream err, java.util.Map<String, String> envVars,
            String... args) {
        CliEnvironment env = CliEnvironment.builder()
                .env(envVars)
                .stdin(new ByteArrayInputStream(new byte[0]))
                .stdout(out)
                .stderr(new PrintStream(err, true, UTF_8))
                .hostname("vm")
                .build();
        return SasldbconvertCommand.run(env, args);
    }
}
