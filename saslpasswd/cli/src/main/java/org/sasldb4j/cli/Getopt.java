package org.sasldb4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The order in which glibc {@code getopt} sees a command line, for the Cyrus tools' short
 * options, plus sasldb4j's long options.
 *
 * <p>picocli fills the option fields, but saslpasswd2's observable behaviour depends on the
 * order of events (a {@code -v} exits at once, before a later bad option is seen; {@code -x} is
 * reported before the usage) and on glibc's exact messages. This scanner reproduces that order;
 * the commands act on its events before handing the arguments to picocli.
 *
 * <p>Like glibc: options may follow operands (permutation), short options cluster
 * ({@code -pc}), an option argument is the rest of the cluster or the next argument whatever
 * it looks like ({@code -u -p} sets the realm to {@code -p}), {@code --} ends the options and
 * a lone {@code -} is an operand.
 */
public final class Getopt {

    /** What getopt reported, in command-line order. */
    public sealed interface Event permits Flag, Invalid, MissingArgument, LongOption, UnknownLong, Operand {}

    /** A known short option, with its argument (null for a flag). */
    public record Flag(char option, String argument) implements Event {}

    /** An unknown short option: glibc prints {@code invalid option -- 'x'}. */
    public record Invalid(char option) implements Event {}

    /** A short option without its argument: {@code option requires an argument -- 'f'}. */
    public record MissingArgument(char option) implements Event {}

    /** A known long option ({@code --name}); {@code argument} null if it takes none or lacks one. */
    public record LongOption(String name, String argument, boolean missingArgument) implements Event {}

    /** An unknown long option, or ({@code refusesArgument}) a flag given {@code =value}. */
    public record UnknownLong(String text, boolean refusesArgument) implements Event {}

    /** A non-option argument. */
    public record Operand(String value) implements Event {}

    private Getopt() {}

    /**
     * Scans {@code args}.
     *
     * @param shortSpec the getopt string, e.g. {@code "vpcdnf:u:a:h?"}
     * @param longOptions long option names (with the leading {@code --}) mapped to whether they
     *     take an argument
     */
    public static List<Event> scan(String[] args, String shortSpec, Map<String, Boolean> longOptions) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                for (int j = i + 1; j < args.length; j++) {
                    events.add(new Operand(args[j]));
                }
                break;
            }
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                String name = eq < 0 ? a : a.substring(0, eq);
                Boolean takesArg = longOptions.get(name);
                if (takesArg == null || (!takesArg && eq >= 0)) {
                    events.add(new UnknownLong(a, takesArg != null));
                } else if (!takesArg) {
                    events.add(new LongOption(name, null, false));
                } else if (eq >= 0) {
                    events.add(new LongOption(name, a.substring(eq + 1), false));
                } else if (i + 1 < args.length) {
                    events.add(new LongOption(name, args[++i], false));
                } else {
                    events.add(new LongOption(name, null, true));
                }
                continue;
            }
            if (a.length() < 2 || a.charAt(0) != '-') {
                events.add(new Operand(a));
                continue;
            }
            for (int j = 1; j < a.length(); j++) {
                char c = a.charAt(j);
                int at = c == ':' ? -1 : shortSpec.indexOf(c);
                if (at < 0) {
                    events.add(new Invalid(c));
                    continue;
                }
                boolean needsArg = at + 1 < shortSpec.length() && shortSpec.charAt(at + 1) == ':';
                if (!needsArg) {
                    events.add(new Flag(c, null));
                    continue;
                }
                if (j + 1 < a.length()) {
                    events.add(new Flag(c, a.substring(j + 1)));
                } else if (i + 1 < args.length) {
                    events.add(new Flag(c, args[++i]));
                } else {
                    events.add(new MissingArgument(c));
                }
                break;
            }
        }
        return events;
    }

    /** glibc's message for an event that is an error, or null. */
    /**
     * True if any event is a long option (known or not). A command line without one uses only
     * the Cyrus tools' own options, which the events describe completely, so the command can
     * take them directly and skip building its picocli model (a good part of a cold start).
     */
    public static boolean hasLongOptions(List<Event> events) {
        for (Event e : events) {
            if (e instanceof LongOption || e instanceof UnknownLong) {
                return true;
            }
        }
        return false;
    }

    public static String message(String program, Event e) {
        if (e instanceof Invalid inv) {
            return program + ": invalid option -- '" + inv.option() + "'";
        }
        if (e instanceof MissingArgument m) {
            return program + ": option requires an argument -- '" + m.option() + "'";
        }
        if (e instanceof UnknownLong u) {
            return u.refusesArgument()
                    ? program + ": option '" + u.text().substring(0, u.text().indexOf('=')) + "' doesn't allow an argument"
                    : program + ": unrecognized option '" + u.text() + "'";
        }
        if (e instanceof LongOption l && l.missingArgument()) {
            return program + ": option '" + l.name() + "' requires an argument";
        }
        return null;
    }
}
