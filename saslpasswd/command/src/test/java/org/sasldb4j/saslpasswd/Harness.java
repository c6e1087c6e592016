package org.sasldb4j.saslpasswd;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.PasswordConsole;

/** Runs saslpasswd (or another tool) in-process with fake stdin, terminal and host name, capturing its output. */
final class Harness {
    record Result(int rc, String out, String err) {}

    /** A terminal that answers the prompts from a list and records them. */
    static final class FakeConsole implements PasswordConsole {
        final Deque<String> answers = new ArrayDeque<>();
        final List<String> prompts = new ArrayList<>();
        final StringBuilder screen = new StringBuilder();

        FakeConsole(String... answers) {
            for (String a : answers) {
                this.answers.add(a);
            }
        }

        @Override
        public char[] readPassword(String prompt) {
            prompts.add(prompt);
            screen.append(prompt);
            String a = answers.poll();
            if (a == null) {
                return null;
            }
            screen.append('\n');
            return a.toCharArray();
        }

        @Override
        public Charset charset() {
            return UTF_8;
        }

        @Override
        public void newline() {
            screen.append('\n');
        }
    }

    private final CliEnvironment.Builder env;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    Harness(Path confDir) {
        env = CliEnvironment.builder()
                .hostname("VM")
                // No /etc/sasl2/saslpasswd.conf of the machine running the tests may interfere.
                .env("SASL_CONF_PATH", confDir.toString())
                // Tests never write to the host's syslog; SaslpasswdAuditTest points it at its own socket.
                .env("SASLDB4J_SYSLOG_SOCKET", "none")
                .stdout(out)
                .stderr(new PrintStream(err, true, UTF_8));
    }

    Harness stdin(String bytes) {
        env.stdin(new ByteArrayInputStream(bytes.getBytes(ISO_8859_1)));
        return this;
    }

    Harness stdinBytes(byte[] bytes) {
        env.stdin(new ByteArrayInputStream(bytes));
        return this;
    }

    Harness console(PasswordConsole c) {
        env.console(c);
        return this;
    }

    Harness env(String name, String value) {
        env.env(name, value);
        return this;
    }

    Harness fdDirectory(Path d) {
        env.fdDirectory(d);
        return this;
    }

    Result run(String... args) {
        return runTool(e -> SaslpasswdCommand.run(e, args));
    }

    /** Runs another tool of the suite (sasldblistusers, sasldbconvert) in the same environment. */
    Result runTool(java.util.function.ToIntFunction<CliEnvironment> tool) {
        int rc = tool.applyAsInt(env.build());
        return new Result(rc, out.toString(UTF_8), err.toString(UTF_8));
    }
}
