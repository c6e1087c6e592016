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
     * @param date the date printed in the page footer (fixed, so pages are reproducible)
     * @param extraSections additional sections: pairs of heading, body paragraphs
     */
    public static String render(CommandLine cmd, LocalDate date, List<String[]> extraSections) {
        CommandSpec spec = cmd.getCommandSpec();
        UsageMessageSpec usage = spec.usageMessage();
        String name = spec.name();
        StringBuilder out = new StringBuilder();
        out.append(".\\\" Generated from the picocli model by org.sasldb4j.docs.ManPage; do not edit.\n");
        out.append(".TH ").append(name.toUpperCase(Locale.ROOT)).append(" 1 \"").append(date)
                .append("\" \"sasldb4j\" \"sasldb4j manual\"\n");
        out.append(".SH NAME\n").append(esc(name)).append(" \\- ")
                .append(esc(firstLine(usage.description()))).append('\n');
        out.append(".SH SYNOPSIS\n.B ").append(esc(name)).append('\n');
        String synopsis = synopsisOf(cmd);
        if (!synopsis.isEmpty()) {
            out.append(esc(synopsis)).append('\n');
        }
        out.append(".SH DESCRIPTION\n");
        for (String para : usage.description()) {
            out.append(esc(para)).append("\n.PP\n");
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
                out.append('\n').append(esc(String.join(" ", descriptionOf(o)))).append('\n');
            }
        }
        if (!spec.positionalParameters().isEmpty()) {
            out.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : spec.positionalParameters()) {
                if (p.hidden()) {
                    continue;
                }
                out.append(".TP\n.I ").append(esc(p.paramLabel())).append('\n')
                        .append(esc(String.join(" ", descriptionOf(p)))).append('\n');
            }
        }
        if (!usage.exitCodeList().isEmpty()) {
            out.append(".SH EXIT STATUS\n");
            usage.exitCodeList().forEach((code, text) ->
                    out.append(".TP\n.B ").append(esc(code.trim())).append('\n').append(esc(text.trim())).append('\n'));
        }
        for (String[] section : extraSections) {
            out.append(".SH ").append(esc(section[0].toUpperCase(Locale.ROOT))).append('\n');
            for (int i = 1; i < section.length; i++) {
                out.append(esc(section[i])).append("\n.PP\n");
            }
        }
        if (usage.footer().length > 0) {
            out.append(".SH NOTES\n");
            for (String para : usage.footer()) {
                out.append(esc(para)).append("\n.PP\n");
            }
        }
        return out.toString().replace(".PP\n.SH", ".SH").replace(".PP\n.TP", ".TP");
    }

    private static String synopsisOf(CommandLine cmd) {
        String[] custom = cmd.getCommandSpec().usageMessage().customSynopsis();
        if (custom.length > 0) {
            String s = String.join(" ", custom).trim();
            String name = cmd.getCommandName();
            int at = s.indexOf(name);
            return (at >= 0 ? s.substring(at + name.length()) : s).trim();
        }
        String s = cmd.getHelp().synopsis(0).trim();
        return s.startsWith(cmd.getCommandName()) ? s.substring(cmd.getCommandName().length()).trim() : s;
    }

    private static String[] descriptionOf(ArgSpec a) {
        String[] d = a.renderedDescription();
        return d.length == 0 ? a.description() : d;
    }

    private static String firstLine(String[] lines) {
        return lines.length == 0 ? "" : lines[0];
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
