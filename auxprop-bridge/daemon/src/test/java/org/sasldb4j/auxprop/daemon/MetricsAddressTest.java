package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --metrics HOST:PORT}: what is accepted, and one clear message for what is not. */
class MetricsAddressTest {
    private final MetricsAddress converter = new MetricsAddress();

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
