package org.sasldb4j.saslpasswd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.Getopt;
import org.sasldb4j.cli.PicocliSetup;

/**
 * A command line of saslpasswd2's own options skips the picocli model (for start-up time); it
 * must mean exactly what picocli makes of it.
 */
class CyrusFastPathTest {
    // The same two checks as sasldblistusers' CyrusFastPathTest, on this tool's own option table and
    // command lines: each tool module tests its own fast path.
    private static final CliEnvironment ENV = CliEnvironment.builder().hostname("vm").build();

    @Test
    void longOptionTableMatchesThePicocliModel() {
        SaslpasswdCommand cmd = new SaslpasswdCommand(ENV, "saslpasswd");
        assertEquals(PicocliSetup.longOptions(PicocliSetup.create(cmd, ENV).getCommandSpec()),
                SaslpasswdCommand.LONG_OPTIONS);
    }

    @Test
    void cyrusCommandLinesParseTheSameWithAndWithoutPicocli() {
        List<String[]> lines = List.of(
                new String[] {"-p", "-c", "-f", "db", "-u", "example.org", "alice"},
                new String[] {"alice", "-pc", "-f", "db"},
                new String[] {"-u", "", "x"},
                new String[] {"-u", "-p", "bob"},
                new String[] {"-f", "a", "-f", "b", "u"},
                new String[] {"-fdb", "-uex", "-aapp", "a@b@c"},
                new String[] {"--", "-x"},
                new String[] {"@lead"},
                new String[] {"-n", "-p", "z", "-c"},
                new String[] {"-d", "q", "-f", "db"},
                new String[] {" hal "},
                new String[] {"jürgen", "-u", "Ex.COM"});
        for (String[] args : lines) {
            List<Getopt.Event> events = Getopt.scan(args, SaslpasswdCommand.SHORT_OPTIONS, SaslpasswdCommand.LONG_OPTIONS);
            assertFalse(Getopt.hasLongOptions(events));
            SaslpasswdCommand fast = new SaslpasswdCommand(ENV, "saslpasswd");
            fast.takeCyrusOptions(events);
            SaslpasswdCommand slow = new SaslpasswdCommand(ENV, "saslpasswd");
            PicocliSetup.create(slow, ENV).parseArgs(args);
            assertEquals(fields(slow), fields(fast), String.join(" ", args));
        }
    }

    private static List<Object> fields(SaslpasswdCommand c) {
        return List.of(c.pipe, c.create, c.disable, c.noPlain, String.valueOf(c.dbPath), String.valueOf(c.userDomain),
                c.appname, c.userIds, String.valueOf(c.batch), String.valueOf(c.schemes), c.removePlaintext, c.lock,
                c.unlock, c.passwordSource.isSet(), String.valueOf(c.defaultRealm));
    }
}
