package org.sasldb4j.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** picocli configured to parse a command line as glibc getopt would. */
public final class PicocliSetup {
    private PicocliSetup() {}

    /**
     * A command line for {@code command} with getopt semantics: options after operands, clustered
     * short options, an option argument may start with {@code -} ({@code -u -p}), the last of a
     * repeated option wins, and {@code @file} is a user id, not an argument file
     * ({@code saslpasswd2 @lead} names user "" in realm "lead").
     */
    public static CommandLine create(Object command, CliEnvironment env) {
        CommandLine cl = new CommandLine(command);
        cl.setPosixClusteredShortOptionsAllowed(true);
        cl.setStopAtPositional(false);
        cl.setAllowOptionsAsOptionParameters(true);
        cl.setUnmatchedOptionsAllowedAsOptionParameters(true);
        cl.setOverwrittenOptionsAllowed(true);
        cl.setExpandAtFiles(false);
        cl.setTrimQuotes(false);
        cl.setAbbreviatedOptionsAllowed(false);
        cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(env.stdout(), StandardCharsets.UTF_8), true));
        // UTF-8 like stdout: the platform default (ASCII under LANG=C) would turn names into "?".
        cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(env.stderr(), StandardCharsets.UTF_8), true));
        return spaceInHelp(cl);
    }

    /**
     * Makes the help show {@code -f sasldb} and {@code --batch FILE} instead of picocli's
     * {@code -f=sasldb}: getopt reads {@code -f=sasldb} as the path {@code =sasldb}. Parsing is
     * unchanged ({@code --batch=FILE} still works, as in getopt_long).
     */
    public static CommandLine spaceInHelp(CommandLine cl) {
        cl.setHelpFactory((spec, colors) -> new CommandLine.Help(spec, colors) {
            @Override
            public CommandLine.Help.IParamLabelRenderer parameterLabelRenderer() {
                CommandLine.Help.IParamLabelRenderer plain = super.parameterLabelRenderer();
                return new CommandLine.Help.IParamLabelRenderer() {
                    @Override
                    public CommandLine.Help.Ansi.Text renderParameterLabel(
                            CommandLine.Model.ArgSpec arg, CommandLine.Help.Ansi ansi,
                            java.util.List<CommandLine.Help.Ansi.IStyle> styles) {
                        CommandLine.Help.Ansi.Text t = plain.renderParameterLabel(arg, ansi, styles);
                        String text = t.plainString();
                        return text.startsWith(plain.separator())
                                ? ansi.new Text(" " + text.substring(plain.separator().length()))
                                : t;
                    }

                    @Override
                    public String separator() {
                        return " ";
                    }
                };
            }
        });
        return cl;
    }

    /** The long options of a command ({@code --name} -> takes an argument), for {@link Getopt}. */
    public static Map<String, Boolean> longOptions(CommandSpec spec) {
        Map<String, Boolean> m = new HashMap<>();
        for (OptionSpec o : spec.options()) {
            for (String name : o.names()) {
                if (name.startsWith("--")) {
                    m.put(name, o.arity().max() > 0);
                }
            }
        }
        return m;
    }

    /**
     * A parse error in one line for the sasldb4j-only tools (sasldbconvert, sasldb-authd), which
     * follow it with "try --help" instead of the whole help: {@code unknown option '--foo'}.
     */
    public static String oneLine(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException u && u.isUnknownOption()) {
            java.util.List<String> unknown = u.getUnmatched().stream().filter(a -> a.startsWith("-")).toList();
            if (!unknown.isEmpty()) {
                return "unknown option '" + unknown.get(0) + "'";
            }
        }
        // picocli checks required operands before it reports unmatched words: for "--bogus" alone
        // the cause is the unknown option, not the missing operands it leaves.
        if (e instanceof CommandLine.MissingParameterException && e.getCommandLine() != null) {
            java.util.List<String> unknown = e.getCommandLine().getUnmatchedArguments().stream()
                    .filter(a -> a.startsWith("-") && a.length() > 1).toList();
            if (!unknown.isEmpty()) {
                return "unknown option '" + unknown.get(0) + "'";
            }
        }
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    /** Prints the long {@code --help} of {@code command} on the environment's stdout; returns {@link ExitCodes#OK}. */
    public static int printHelp(Object command, CliEnvironment env) {
        CommandLine cl = create(command, env);
        cl.usage(cl.getOut());
        cl.getOut().flush();
        return ExitCodes.OK;
    }
}
