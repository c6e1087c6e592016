package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.ExitCodes;
import picocli.CommandLine;

/** {@code --metrics HOST:PORT}: what is accepted, and one clear message for what is not. */
class MetricsAddressTest {
    private final MetricsAddress converter = new MetricsAddress();

    @TempDir
    Path dir;

    /** The configuration file's key is checked as the option is: one line naming the file's line. */
    @Test
    void theConfigurationFileKeyIsCheckedLikeTheOption() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliEnvironment env = CliEnvironment.builder().hostname("vm").env("SASL_CONF_PATH", dir.toString())
                .stdout(new ByteArrayOutputStream()).stderr(new PrintStream(err, true, StandardCharsets.UTF_8)).build();
        Path bad = Files.writeString(dir.resolve("bad.conf"), "dovecot-socket = " + dir.resolve("auth")
                + "\nmetrics = 127.0.0.1:x\n");
        int rc = AuthdCommand.run(env, dir.resolve("default.conf"), "--config", bad.toString(), "--check-config");
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCodes.USAGE, rc, e);
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.contains("'127.0.0.1:x': the port must be a number (line 2 of "), e);

        Path good = Files.writeString(dir.resolve("good.conf"), "metrics = [::1]:9187\n");
        AuthdCommand cmd = new AuthdCommand(env);
        CommandLine cl = new CommandLine(cmd);
        cl.setDefaultValueProvider(ConfigFile.read(good, true, () -> new CommandLine(new AuthdCommand(env))));
        cl.parseArgs("--dovecot-socket", "/tmp/x");
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 9187), cmd.metrics);
    }

    @Test
    void acceptsIpv4Ipv6AndNames() throws Exception {
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 9187), converter.convert("127.0.0.1:9187"));
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 9187), converter.convert("[::1]:9187"));
        InetSocketAddress local = converter.convert("localhost:0");
        assertTrue(local.getAddress().isLoopbackAddress());
        assertEquals(0, local.getPort());
    }

    @Test
    void refusesWhatIsNotHostColonPort() {
        for (String bad : new String[] {"9187", ":9187", "127.0.0.1:", "127.0.0.1:x", "127.0.0.1:65536",
                "127.0.0.1:-1", "::1:9187", "no-such-host.invalid:9187"}) {
            CommandLine.TypeConversionException e = assertThrows(CommandLine.TypeConversionException.class,
                    () -> converter.convert(bad), bad);
            assertTrue(e.getMessage().startsWith("'" + bad + "': "), e.getMessage());
        }
    }

    @Test
    void theOptionIsOffByDefault() {
        AuthdCommand cmd = new AuthdCommand(org.sasldb4j.cli.CliEnvironment.system());
        new CommandLine(cmd).parseArgs("--dovecot-socket", "/tmp/x");
        assertEquals(null, cmd.metrics);
    }
}
