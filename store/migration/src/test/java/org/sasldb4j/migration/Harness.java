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
        CliEnvironment env = CliEnvironment.builder()
                .stdin(new ByteArrayInputStream(new byte[0]))
                .stdout(out)
                .stderr(new PrintStream(err, true, UTF_8))
                .hostname("vm")
                .build();
        return SasldbconvertCommand.run(env, args);
    }
}
