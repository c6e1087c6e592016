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
 * Writes a section-1 man page (troff, {@code man(7)} macros) from a picocli command model, so the
 * man pages can never disagree with the options the command really takes.
 *
 * <p>Text that the model does not carry (exit codes beyond the model's list, files, examples,
 * differences from Cyrus) comes from the usage message's footer and from {@code extra}.
 */
public final class ManPage {
    private ManPage() {}

    /**
     * The man page of {@code cmd}.
     *
     * @param cmd the command, as the tool builds it
     * @param summary the one-line description after the name
     * @param date the date printed in the page footer (fixed, so pages are reproducible)
     * @param extraSections additional sections: pairs of heading, body paragraphs
     */
    public static String render(CommandLine cmd, String summary, LocalDate date, List<String[]> extraSections) {
        CommandSpec spec = cmd.getCommandSpec();
        UsageMessageSpec usage = spec.usageMessage();
        String name = spec.name();
        StringBuilder out = new StringBuilder();
        out.append(".\\\" Generated from the picocli model by org.sasldb4j.docs.ManPage; do not edit.\n");
        out.append(".TH ").append(name.toUpperCase(Locale.ROOT)).append(" 1 \"").append(date)
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
        if (!usage.exitCodeList().isEmpty()) {
            out.append(".SH EXIT STATUS\n");
            usage.exitCodeList().forEach((code, text) ->
                    out.append(".TP\n.B ").append(esc(text(code))).append('\n').append(esc(text(text))).append('\n'));
        }
        for (String[] section : extraSections) {
            out.append(".SH ").append(esc(section[0].toUpperCase(Locale.ROOT))).append('\n');
            for (int i = 1; i < section.length; i++) {
                out.append(esc(text(section[i]))).append("\n.PP\n");
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
        return s.replace("%n", "\n").strip();
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
