package org.sasldb4j.sasldblistusers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.Getopt;
import org.sasldb4j.cli.PicocliSetup;

/** A sasldblistusers2 command line skips the picocli model; it must mean what picocli makes of it. */
class CyrusFastPathTest {
    // The same two checks as saslpasswd's CyrusFastPathTest, on this tool's own option table and
    // command lines: each tool module tests its own fast path.
    private static final CliEnvironment ENV = CliEnvironment.builder().build();

    @Test
    void longOptionTableMatchesThePicocliModel() {
        SasldblistusersCommand cmd = new SasldblistusersCommand(ENV, "sasldblistusers");
        assertEquals(PicocliSetup.longOptions(PicocliSetup.create(cmd, ENV).getCommandSpec()),
                SasldblistusersCommand.LONG_OPTIONS);
    }

    @Test
    void cyrusCommandLinesParseTheSameWithAndWithoutPicocli() {
        for (String[] args : List.of(new String[] {}, new String[] {"db"}, new String[] {"-f", "db"},
                new String[] {"-fdb"}, new String[] {"--", "-db"}, new String[] {"-f", "a", "-f", "b"})) {
            List<Getopt.Event> events = Getopt.scan(args, SasldblistusersCommand.SHORT_OPTIONS,
                    SasldblistusersCommand.LONG_OPTIONS);
            SasldblistusersCommand fast = new SasldblistusersCommand(ENV, "sasldblistusers");
            fast.takeCyrusOptions(events);
            SasldblistusersCommand slow = new SasldblistusersCommand(ENV, "sasldblistusers");
            PicocliSetup.create(slow, ENV).parseArgs(args);
            assertEquals(List.of(String.valueOf(slow.dbPath), slow.operands, slow.json, String.valueOf(slow.realm),
                    slow.users), List.of(String.valueOf(fast.dbPath), fast.operands, fast.json,
                    String.valueOf(fast.realm), fast.users), String.join(" ", args));
        }
    }
}
