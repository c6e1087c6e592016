package org.sasldb4j.docs;

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * Writes a section-8 man page (troff, {@code man(7)} macros) from a picocli command model, so the
 * man pages can never disagree with the options the command really takes. Section 8: the tools are
 * administration commands installed in /usr/sbin, as Cyrus's saslpasswd2(8) is.
 *
 * <p>Text that the model does not carry (notes on exit statuses, files, examples, differences
 * from Cyrus) comes from the usage message's footer and from {@code extra}. The model's mentions
 * of a guide under {@code docs/} become its installed copy under {@code /usr/share/doc/sasldb4j/},
 * since a man page is read on a machine with the package, not in a checkout.
 */
public final class ManPage {
    /** The manual section of every page. */
    public static final String SECTION = "8";
    /** Heading of the extra section whose paragraphs are appended to the model's exit statuses. */
    public static final String EXIT_STATUS = "Exit status";
    /** Heading of the extra section whose paragraphs are {@code /path: what it is} items. */
    public static final String FILES = "Files";

    private static final String DOC_DIR = "/usr/share/doc/sasldb4j/";

    private ManPage() {}

    /**
     * The man page of {@code cmd}.
     *
     * @param cmd the command, as the tool builds it
     * @param summary the one-line description after the name
     * @param date the date printed in the page footer (fixed, so pages are reproducible)
     * @param extraSections additional sections: heading, then body paragraphs; the paragraphs of
     *     {@link #EXIT_STATUS} follow the model's exit-status list, those of {@link #FILES} are
     *     {@code /absolute/path: text} items
     */
    public static String render(CommandLine cmd, String summary, LocalDate date, List<String[]> extraSections) {
        CommandSpec spec = cmd.getCommandSpec();
        UsageMessageSpec usage = spec.usageMessage();
        String name = spec.name();
        StringBuilder out = new StringBuilder();
        out.append(".\\\" Generated from the picocli model by org.sasldb4j.docs.ManPage; do not edit.\n");
        out.append(".TH ").append(name.toUpperCase(Locale.ROOT)).append(' ').append(SECTION).append(" \"").append(date)
                .append("\" \"sasldb4j\" \"sasldb4j manual\"\n");
        out.append(".SH NAME\n").append(esc(name)).append(" \\- ").append(esc(summary)).append('\n');
        out.append(".SH SYNOPSIS\n");
        for (String line : synopsisOf(cmd)) {
            if (line.startsWith(name + " ") || line.equals(name)) {
                out.append(".B ").append(esc(name)).append('\n');
                line = line.substring(name.length()).strip();
            }
            if (!line.isEmpty()) {
                out.append(esc(line)).append('\n');
            }
            out.append(".br\n");
        }
        out.append(".SH DESCRIPTION\n");
        for (String para : usage.description()) {
            out.append(esc(text(para))).append("\n.PP\n");
        }
        if (!spec.options().isEmpty()) {
            out.append(".SH OPTIONS\n");
            for (OptionSpec o : spec.options()) {
                if (o.hidden()) {
                    continue;
                }
                out.append(".TP\n.B ").append(esc(String.join(", ", o.names())));
                if (o.arity().max() > 0 && !o.paramLabel().isEmpty()) {
                    out.append(' ').append(esc(o.paramLabel()));
                }
                out.append('\n').append(esc(text(String.join(" ", descriptionOf(o))))).append('\n');
            }
        }
        if (!spec.positionalParameters().isEmpty()) {
            out.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : spec.positionalParameters()) {
                if (p.hidden()) {
                    continue;
                }
                out.append(".TP\n.I ").append(esc(p.paramLabel())).append('\n')
                        .append(esc(text(String.join(" ", descriptionOf(p))))).append('\n');
            }
        }
        if (!cmd.getSubcommands().isEmpty()) {
            out.append(".SH COMMANDS\n");
            for (CommandLine sub : cmd.getSubcommands().values()) {
                subcommand(out, sub);
            }
        }
        if (!usage.exitCodeList().isEmpty()) {
            out.append(".SH EXIT STATUS\n");
            usage.exitCodeList().forEach((code, text) ->
                    out.append(".TP\n.B ").append(esc(text(code))).append('\n').append(esc(text(text))).append('\n'));
            for (String[] section : extraSections) {
                if (section[0].equals(EXIT_STATUS)) {
                    out.append(".PP\n");
                    for (int i = 1; i < section.length; i++) {
                        out.append(esc(text(section[i]))).append("\n.PP\n");
                    }
                }
            }
        }
        for (String[] section : extraSections) {
            if (section[0].equals(EXIT_STATUS) && !usage.exitCodeList().isEmpty()) {
                continue;
            }
            out.append(".SH ").append(esc(section[0].toUpperCase(Locale.ROOT))).append('\n');
            for (int i = 1; i < section.length; i++) {
                if (section[0].equals(FILES)) {
                    fileItem(out, section[i]);
                } else {
                    out.append(esc(text(section[i]))).append("\n.PP\n");
                }
            }
        }
        if (usage.footer().length > 0) {
            out.append(".SH NOTES\n");
            for (String para : usage.footer()) {
                out.append(esc(text(para))).append("\n.PP\n");
            }
        }
        return out.toString().replace(".PP\n.SH", ".SH").replace(".PP\n.TP", ".TP");
    }

    /**
     * A subcommand as a subsection: its synopsis, description, options, arguments and exit
     * statuses (a subcommand such as {@code sasldb-authd test-login} may have its own).
     */
    private static void subcommand(StringBuilder out, CommandLine sub) {
        CommandSpec spec = sub.getCommandSpec();
        out.append(".SS ").append(esc(spec.name())).append('\n');
        for (String line : synopsisOf(sub)) {
            out.append(".B ").append(esc(line)).append("\n.br\n");
        }
        out.append(".PP\n");
        for (String para : spec.usageMessage().description()) {
            out.append(esc(text(para))).append("\n.PP\n");
        }
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            out.append(".TP\n.B ").append(esc(String.join(", ", o.names())));
            if (o.arity().max() > 0 && !o.paramLabel().isEmpty()) {
                out.append(' ').append(esc(o.paramLabel()));
            }
            out.append('\n').append(esc(text(String.join(" ", descriptionOf(o))))).append('\n');
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            out.append(".TP\n.I ").append(esc(p.paramLabel())).append('\n')
                    .append(esc(text(String.join(" ", descriptionOf(p))))).append('\n');
        }
        if (!spec.usageMessage().exitCodeList().isEmpty()) {
            out.append(".PP\nExit status of ").append(esc(spec.name())).append(":\n");
            spec.usageMessage().exitCodeList().forEach((code, text) ->
                    out.append(".TP\n.B ").append(esc(text(code))).append('\n').append(esc(text(text))).append('\n'));
        }
    }

    /** A FILES item: the path in italics as the tag, the text below it. */
    private static void fileItem(StringBuilder out, String item) {
        int colon = item.indexOf(": ");
        if (!item.startsWith("/") || colon < 0) {
            throw new IllegalArgumentException("a FILES item is '/absolute/path: text': " + item);
        }
        out.append(".TP\n.I ").append(esc(item.substring(0, colon))).append('\n')
                .append(esc(text(item.substring(colon + 2)))).append('\n');
    }

    /** The synopsis lines: the custom ones if the command has them, else picocli's. */
    private static List<String> synopsisOf(CommandLine cmd) {
        String[] custom = cmd.getCommandSpec().usageMessage().customSynopsis();
        String joined = custom.length > 0 ? String.join("\n", custom) : cmd.getHelp().synopsis(0);
        List<String> lines = new java.util.ArrayList<>();
        for (String line : text(joined).split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.strip().replaceAll(" {2,}", " "));
            }
        }
        return lines;
    }

    /** picocli's {@code %n} line breaks made real, and the ends trimmed. */
    private static String text(String s) {
        return installed(s.replace("%n", "\n").strip());
    }

    /** A checkout's {@code docs/...} paths as the package installs them. */
    static String installed(String s) {
        return s.replace("docs/sasldb-authd.conf", DOC_DIR + "examples/sasldb-authd.conf")
                .replaceAll("(?<![\\w/])docs/([A-Za-z0-9_-]+\\.md)", DOC_DIR + "$1");
    }

    private static String[] descriptionOf(ArgSpec a) {
        String[] d = a.renderedDescription();
        return d.length == 0 ? a.description() : d;
    }

    /** Escapes text for troff: backslashes, and a leading dot or quote that would start a request. */
    static String esc(String s) {
        String t = s.replace("\\", "\\e").replace("-", "\\-");
        StringBuilder out = new StringBuilder();
        for (String line : t.split("\n", -1)) {
            if (out.length() > 0) {
                out.append('\n');
            }
            if (line.startsWith(".") || line.startsWith("'")) {
                out.append("\\&");
            }
            out.append(line);
        }
        return out.toString();
    }
}
