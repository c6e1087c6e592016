package org.sasldb4j.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * Parses the command line of a {@link CyrusTool}: glibc-style getopt scan, the tool's Cyrus
 * rules, then either the tool's own taking of its Cyrus options (no long option: the picocli
 * model, a good part of a cold start, is not built) or picocli for the extensions.
 */
public final class CyrusCommandLine {
    private CyrusCommandLine() {}

    /**
     * @param longOptions the tool's long options and whether each takes an argument (the same as
     *     its picocli model; each tool has a test for that)
     * @return null to go on and run the tool, or the exit status to end with
     */
    public static Integer parse(CyrusTool tool, CliEnvironment env, Diagnostics diag, String shortOptions,
            Map<String, Boolean> longOptions, String[] args) {
        List<Getopt.Event> events = Getopt.scan(args, shortOptions, longOptions);
        Integer early = tool.cyrusCommandLine(events);
        if (early != null) {
            return early;
        }
        if (!Getopt.hasLongOptions(events)) {
            tool.takeCyrusOptions(events);
            return null;
        }
        try {
            PicocliSetup.create(tool, env).parseArgs(args);
            return null;
        } catch (CommandLine.ParameterException e) {
            diag.error(e.getMessage());
            return ExitCodes.USAGE;
        }
    }
}
