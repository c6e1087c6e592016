package org.sasldb4j.migration;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sasldb4j.cli.AuditOption;
import org.sasldb4j.cli.BackendOption;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.CyrusTexts;
import org.sasldb4j.cli.Diagnostics;
import org.sasldb4j.cli.ExitCodes;
import org.sasldb4j.cli.Getopt;
import org.sasldb4j.cli.PicocliSetup;
import org.sasldb4j.cli.StoreAudit;
import org.sasldb4j.cli.StorePaths;
import org.sasldb4j.store.Conversion;
import org.sasldb4j.store.ConversionReport;
import org.sasldb4j.store.MergeConflictException;
import org.sasldb4j.store.StoreAddress;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.audit.AuditTrail;
import org.sasldb4j.store.audit.Change;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sasldbconvert}: moves the users of a Cyrus sasldb2 (Berkeley DB, or a db_dump /
 * gdbm_dump text) into a sasldb4j store, byte for byte, and proves it by reading them back.
 */
@Command(name = "sasldbconvert",
        description = {
            "Copies every record of SOURCE into a new store TARGET: keys and values byte for byte,"
                    + " including ids no login can reach (an empty user name, white space at the edges), which"
                    + " are named in a warning (Cyrus's own converters drop empty user names silently);"
                    + " --drop-unreachable leaves them out.",
            "SOURCE may be a Berkeley DB sasldb2 (hash or btree, either byte order, any page size; no libdb"
                    + " needed), the output of db_dump / db5.3_dump (with or without -p), the output of"
                    + " gdbm_dump (Fedora/RHEL sasldb2), or an LMDB or SQLite store. Its kind is recognised"
                    + " from its content.",
            "Damage in SOURCE (a truncated file, a bad page, a malformed key) stops the conversion before"
                    + " anything is written; --salvage copies every record that can still be read and lists"
                    + " what was skipped. The copy is one transaction, TARGET gets SOURCE's owner, group and"
                    + " mode (never any access for others), and the target is read back and compared with SOURCE before"
                    + " success is reported. A failed conversion leaves no TARGET behind.",
            "--merge works user by user: users TARGET does not hold are added, users with the same records"
                    + " are left alone, and users whose records differ stop the merge before anything is written"
                    + " unless --prefer says which side wins. Every user added, replaced or kept is printed.",
            "A conversion or merge is recorded as one summary (change=converted, with the counts; never a"
                    + " secret) in syslog (facility authpriv, tag sasldbconvert) when /dev/log exists, and in the"
                    + " --audit-log file. See docs/guide.md, \"Audit trail\".",
            "SOURCE and TARGET may name PostgreSQL stores, so users move between a database and files in either"
                    + " direction; see docs/migration.md, \"PostgreSQL stores\"."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitCodes.DOC_OK + ": converted and verified; nothing skipped (unreachable ids copied, or dropped on request)",
            ExitCodes.DOC_FAILURE + "; nothing usable was written, or a merge found users that differ and no --prefer",
            ExitCodes.DOC_DAMAGED + ": converted and verified with --salvage",
            ExitCodes.DOC_LAUNCHER},
        footer = {"%nSee docs/migration.md for moving /etc/sasldb2 without interrupting Postfix."})
public final class SasldbconvertCommand implements Callable<Integer> {
    static final int USAGE = ExitCodes.USAGE;
    static final int SKIPPED = ExitCodes.DAMAGED_RECORDS_SKIPPED;
    private static final long PROGRESS_MIN_BYTES = 1 << 20;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "The sasldb to read: a file, or a PostgreSQL"
            + " store (postgresql://[USER@]HOST[:PORT]/DB or service=NAME).")
    String source;

    @Parameters(index = "1", paramLabel = "TARGET", description = "The store to create: a file, or a PostgreSQL"
            + " store (postgresql://[USER@]HOST[:PORT]/DB or service=NAME; the schema is created, the database"
            + " must hold no records unless --merge). No password in an address: use ~/.pgpass, PGPASSFILE or"
            + " PGPASSWORD.")
    String target;

    @Option(names = "--merge", description = "Add SOURCE's users to an existing TARGET, user by user: new users are"
            + " added, users whose records differ stop the merge (nothing written) unless --prefer is given."
            + " Every user changed is printed.")
    boolean merge;

    @Option(names = "--prefer", paramLabel = "source|target", description = "With --merge: for users whose records"
            + " differ, take all of SOURCE's records (replacing TARGET's) or keep TARGET's.")
    String prefer;

    @Option(names = "--drop-unreachable", description = "Leave out ids no login can reach (empty user name, white"
            + " space at the edges of the name or realm), listing each record left out.")
    boolean dropUnreachable;

    @Option(names = {"-n", "--dry-run"}, description = "Read SOURCE and report; write nothing.")
    boolean dryRun;

    @Option(names = "--salvage", description = "Read past damage in SOURCE, copying every readable record and"
            + " listing what was skipped.")
    boolean salvage;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors and skipped records.")
    boolean quiet;

    @Mixin
    BackendOption backendOption = new BackendOption();

    @Mixin
    AuditOption auditOption = new AuditOption();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "Print the version and exit.")
    boolean version;

    private final CliEnvironment env;
    private final Diagnostics diag;

    SasldbconvertCommand(CliEnvironment env) {
        this.env = env;
        this.diag = new Diagnostics(CyrusTexts.programName("sasldbconvert"), env);
    }

    /** Entry point of the launcher. */
    public static void main(String[] args) {
        System.exit(run(CliEnvironment.system(), args));
    }

    /** The command's picocli model, for generated documentation (the man pages). */
    public static CommandLine commandLine(CliEnvironment env) {
        return PicocliSetup.create(new SasldbconvertCommand(env), env);
    }

    /** Runs one command line in {@code env}; returns the exit status. */
    public static int run(CliEnvironment env, String... args) {
        SasldbconvertCommand cmd = new SasldbconvertCommand(env);
        if (cmd.takeSimpleCommandLine(args)) {
            return cmd.callReporting();
        }
        CommandLine cl = PicocliSetup.create(cmd, env);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            // One line, not the usage: the help is one option away.
            cmd.diag.error(PicocliSetup.oneLine(e) + "; try " + cmd.diag.program() + " --help");
            return USAGE;
        }
        if (cl.isUsageHelpRequested()) {
            cl.usage(new PrintStream(env.stdout(), true, StandardCharsets.UTF_8));
            return ExitCodes.OK;
        }
        if (cl.isVersionHelpRequested()) {
            cl.getOut().println(CyrusTexts.versionLine(cmd.diag.program()));
            cl.getOut().flush();
            return ExitCodes.OK;
        }
        return cmd.callReporting();
    }

    /** Short flags and the long options the quick path understands (none takes an argument). */
    static final String SHORT_OPTIONS = "nq";
    static final Map<String, Boolean> SIMPLE_LONG_OPTIONS = Map.of("--merge", false, "--dry-run", false,
            "--salvage", false, "--quiet", false, "--drop-unreachable", false);

    /**
     * Takes a plain command line (the flags above and two operands) without building the picocli
     * model, which costs more start-up than a small conversion. Anything else (help, --backend,
     * an error to report) is left to picocli.
     *
     * @return true if the command line was taken
     */
    boolean takeSimpleCommandLine(String[] args) {
        List<Getopt.Event> events = Getopt.scan(args, SHORT_OPTIONS, SIMPLE_LONG_OPTIONS);
        List<String> operands = new java.util.ArrayList<>();
        for (Getopt.Event e : events) {
            if (e instanceof Getopt.Operand o) {
                operands.add(o.value());
            } else if (!(e instanceof Getopt.Flag) && !(e instanceof Getopt.LongOption)) {
                return false;
            }
        }
        if (operands.size() != 2 || operands.stream().anyMatch(String::isEmpty)) {
            return false;
        }
        for (Getopt.Event e : events) {
            if (e instanceof Getopt.Flag f) {
                dryRun |= f.option() == 'n';
                quiet |= f.option() == 'q';
            } else if (e instanceof Getopt.LongOption l) {
                switch (l.name()) {
                    case "--merge" -> merge = true;
                    case "--dry-run" -> dryRun = true;
                    case "--salvage" -> salvage = true;
                    case "--drop-unreachable" -> dropUnreachable = true;
                    default -> quiet = true;
                }
            }
        }
        source = operands.get(0);
        target = operands.get(1);
        return true;
    }

    private int callReporting() {
        try {
            return call();
        } catch (IllegalArgumentException e) {
            diag.error(e.getMessage());
            return USAGE;
        } catch (MergeConflictException e) {
            for (String u : e.users()) {
                diag.stream().println("sasldbconvert: conflict: " + u);
            }
            return diag.fail(new StoreException(e.getMessage() + ". Run again with --prefer source"
                    + " (take the source's records for them) or --prefer target (keep the target's)", e),
                    ExitCodes.FAILURE);
        } catch (Conversion.TargetExistsException e) {
            return diag.fail(new StoreException(e.getMessage() + ", or pass --merge to add the records to it", e),
                    ExitCodes.FAILURE);
        } catch (Conversion.SourceDamagedException e) {
            return diag.fail(new StoreException(e.getMessage()
                    + ". To copy every record that can still be read, run again with --salvage", e), ExitCodes.FAILURE);
        } catch (RuntimeException e) { // StoreException and anything else: one line, no trace
            return diag.fail(e, ExitCodes.FAILURE);
        } finally {
            env.stderr().flush();
        }
    }

    @Override
    public Integer call() {
        for (String name : new String[] {source, target}) {
            String refusal = StorePaths.passwordOnCommandLine(name);
            if (refusal != null) {
                diag.error(refusal);
                return USAGE;
            }
        }
        Conversion.Options options = new Conversion.Options(merge, dryRun, salvage, backendOption.backend(),
                preferred(), dropUnreachable);
        ConversionReport report;
        // Opened first: an unsafe audit log stops the run before anything is written.
        try (AuditTrail audit = auditOption.open(env, diag, "sasldbconvert")) {
            report = Conversion.run(source, target, options, progress());
            if (!dryRun) {
                audit.record(StoreAudit.of(audit, target, Change.CONVERTED, null, List.of(), auditDetails(source, report)));
            }
        }
        PrintStream out = new PrintStream(env.stdout(), false, StandardCharsets.UTF_8);
        // What a merge did to each user is printed even with -q: it is what changed who can log in.
        for (String c : report.changes()) {
            out.println(c);
        }
        if (!quiet) {
            printSummary(out, report);
        }
        out.flush();
        for (String w : report.warnings()) {
            diag.warn(w);
        }
        for (String u : report.unreachable()) {
            diag.warn(u);
        }
        for (String d : report.dropped()) {
            diag.stream().println("sasldbconvert: dropped: " + d);
        }
        for (String s : report.skipped()) {
            diag.stream().println("sasldbconvert: skipped: " + s);
        }
        return report.skipped().isEmpty() ? ExitCodes.OK : SKIPPED;
    }

    /** The counts of a conversion for its audit record; names and numbers only. */
    private Map<String, Object> auditDetails(String from, ConversionReport r) {
        Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("source", StoreAddress.isServer(from) ? StoreAddress.redacted(from)
                : Path.of(from).toAbsolutePath().normalize().toString());
        d.put("source_format", r.sourceFormat().name().toLowerCase(java.util.Locale.ROOT));
        d.put("merge", merge);
        d.put("records", r.records());
        d.put("users", r.users());
        d.put("realms", r.realms());
        d.put("skipped", (long) r.skipped().size());
        d.put("dropped", (long) r.dropped().size());
        return d;
    }

    private Conversion.Prefer preferred() {
        if (prefer == null) {
            return null;
        }
        if (!merge) {
            throw new IllegalArgumentException("--prefer goes with --merge");
        }
        return switch (prefer) {
            case "source" -> Conversion.Prefer.SOURCE;
            case "target" -> Conversion.Prefer.TARGET;
            default -> throw new IllegalArgumentException("--prefer takes 'source' or 'target', not '" + prefer + "'");
        };
    }

    private void printSummary(PrintStream out, ConversionReport r) {
        String source = StoreAddress.redacted(this.source);
        String target = StoreAddress.redacted(this.target);
        out.printf("source: %s (%s)%n", source, r.sourceFormat().description());
        if (dryRun) {
            out.printf("dry run: would %s %d records (%d users, %d realms) into %s%n", r.merged() ? "merge" : "copy",
                    r.records(), r.users(), r.realms(), target);
        } else {
            out.printf("target: %s (%s)%n", target, r.targetFormat().description());
            out.printf("%s: %d records, %d users, %d realms%n", r.merged() ? "merged" : "copied",
                    r.records(), r.users(), r.realms());
        }
        for (Map.Entry<String, Long> p : r.properties().entrySet()) {
            out.printf("  %s: %d%n", p.getKey(), p.getValue());
        }
        out.printf("skipped: %d%n", r.skipped().size());
        if (r.verified()) {
            out.printf("verified: every copied record was read back from %s and matches%n", target);
        }
    }

    /** Progress on a terminal for large sources; nothing in pipes and logs. */
    private Conversion.Progress progress() {
        // A server source has no size to judge by: progress is shown on a terminal.
        if (!env.stderrIsTerminal()
                || (!StoreAddress.isServer(source) && sizeOf(Path.of(source)) < PROGRESS_MIN_BYTES)) {
            return Conversion.Progress.NONE;
        }
        PrintStream err = env.stderr();
        return count -> {
            err.print("\rsasldbconvert: read " + count + " records");
            err.flush();
        };
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
