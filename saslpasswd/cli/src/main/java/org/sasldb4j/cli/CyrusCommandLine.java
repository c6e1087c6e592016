package org.sasldb4j.cli;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
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

    /**
     * {@link #parse}, then {@code body} unless the command line ended the run; returns the exit
     * status of either. An unchecked exception from {@code body} ({@code StoreException} and
     * anything unexpected) is one line on stderr and {@link ExitCodes#FAILURE}, no stack trace.
     */
    public static int run(CyrusTool tool, CliEnvironment env, Diagnostics diag, String shortOptions,
            Map<String, Boolean> longOptions, String[] args, Supplier<Integer> body) {
        Integer early = parse(tool, env, diag, shortOptions, longOptions, args);
        if (early != null) {
            return early;
        }
        try {
            return body.get();
        } catch (RuntimeException e) {
            return diag.fail(e, ExitCodes.FAILURE);
        } finally {
            env.stderr().flush();
        }
    }
}
