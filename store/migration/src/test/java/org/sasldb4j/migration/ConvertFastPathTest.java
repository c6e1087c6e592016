package org.sasldb4j.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.PicocliSetup;

/** sasldbconvert's quick command-line path means what picocli makes of the same arguments. */
class ConvertFastPathTest {
    private static final CliEnvironment ENV = CliEnvironment.builder().build();

    @Test
    void plainCommandLinesParseTheSameWithAndWithoutPicocli() {
        for (String[] args : List.of(new String[] {"a", "b"}, new String[] {"-q", "a", "b"},
                new String[] {"a", "--merge", "b", "--salvage"}, new String[] {"-nq", "a", "b"},
                new String[] {"--dry-run", "--quiet", "a", "b"}, new String[] {"--", "-a", "b"},
                new String[] {"--drop-unreachable", "a", "b"})) {
            SasldbconvertCommand fast = new SasldbconvertCommand(ENV);
            assertTrue(fast.takeSimpleCommandLine(args), String.join(" ", args));
            SasldbconvertCommand slow = new SasldbconvertCommand(ENV);
            PicocliSetup.create(slow, ENV).parseArgs(args);
            assertEquals(fields(slow), fields(fast), String.join(" ", args));
        }
    }

    @Test
    void everythingElseGoesToPicocli() {
        for (String[] args : List.of(new String[] {"a"}, new String[] {"a", "b", "c"}, new String[] {"--help"},
                new String[] {"-h"}, new String[] {"--backend", "sqlite", "a", "b"}, new String[] {"--bogus", "a", "b"},
                new String[] {"-x", "a", "b"}, new String[] {"--merge", "--prefer", "source", "a", "b"})) {
            assertFalse(new SasldbconvertCommand(ENV).takeSimpleCommandLine(args), String.join(" ", args));
        }
    }

    private static List<Object> fields(SasldbconvertCommand c) {
        return List.of(c.source.toString(), c.target.toString(), c.merge, c.dryRun, c.salvage, c.quiet,
                c.dropUnreachable, c.backendOption.backend().toString());
    }
}
