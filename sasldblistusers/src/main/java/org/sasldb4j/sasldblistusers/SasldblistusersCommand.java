package org.sasldb4j.sasldblistusers;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.CyrusCommandLine;
import org.sasldb4j.cli.CyrusTexts;
import org.sasldb4j.cli.CyrusTool;
import org.sasldb4j.cli.Diagnostics;
import org.sasldb4j.cli.ExitCodes;
import org.sasldb4j.cli.Getopt;
import org.sasldb4j.cli.PicocliSetup;
import org.sasldb4j.cli.StorePaths;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sasldblistusers}: lists the records of a sasldb, one {@code authid@realm: property}
 * line each and never a value, a drop-in for Cyrus {@code sasldblistusers2}. Unlike it, a store
 * that cannot be listed gives a message and a non-zero exit, and a malformed key is reported
 * and skipped instead of looping forever (defect D4, docs/reference/cyrus-sasldb.md §14).
 */
@Command(name = "sasldblistusers",
        customSynopsis = "sasldblistusers [-v] [--json] [--realm R] [--user U]... [[-f] sasldb]",
        description = {
            "Lists the records of a SASL user store, one 'authid@realm: property' line per record in key"
                    + " order; values (passwords) are never shown.",
            "Store: -f or the argument, else sasldb_path in <confdir>/sasldblistusers.conf, else $SASL_DBNAME,"
                    + " else /etc/sasldb2. A PostgreSQL store is named postgresql://[USER@]HOST[:PORT]/DB or"
                    + " service=NAME; its password comes from ~/.pgpass, PGPASSFILE or PGPASSWORD, never from the"
                    + " command line."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitCodes.DOC_OK + " (listed, possibly nothing)",
            ExitCodes.DOC_FAILURE + " (the store is missing, unreadable, not a store or damaged)",
            ExitCodes.DOC_DAMAGED,
            ExitCodes.DOC_LAUNCHER},
        footer = {"%nSee docs/sasldblistusers.md for the JSON format and the differences from sasldblistusers2."})
public final class SasldblistusersCommand implements Callable<Integer>, CyrusTool {
    static final String SHORT_OPTIONS = "vf:h?";
    static final String DEFAULT_NAME = "sasldblistusers";
    /** The long options for {@link Getopt}; a test keeps this equal to the picocli model. */
    static final Map<String, Boolean> LONG_OPTIONS = Map.of("--json", false, "--realm", true, "--user", true,
            "--help", false, "--version", false);

    @Option(names = "-f", paramLabel = "sasldb", description = "The store: a file, or a PostgreSQL server"
            + " (postgresql://[USER@]HOST[:PORT]/DB or service=NAME; no password here).")
    String dbPath;

    @Option(names = "-v", description = "Print the version and exit.")
    boolean version;

    @Option(names = {"-h", "-?"}, description = "Print the sasldblistusers2 usage and exit 1.")
    boolean cyrusHelp;

    @Option(names = "--json", description = "Print one JSON array of users: authid, realm, property names, secret"
            + " kinds, whether disabled, and when last changed (UTC) where the store keeps it (SASLDB4J_CHANGE_TIMES=1"
            + " when the change was made).")
    boolean json;

    @Option(names = "--realm", paramLabel = "R", description = "Only records in realm R (exact, case-sensitive).")
    String realm;

    @Option(names = "--user", paramLabel = "U", description = "Only user U (any realm), or U@REALM; repeatable.")
    List<String> users = new ArrayList<>();

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit 0.")
    boolean longHelp;

    @Option(names = "--version", description = "Print the version and exit.")
    boolean longVersion;

    @Parameters(paramLabel = "sasldb", arity = "0..*", description = "The store (same as -f).")
    List<String> operands = new ArrayList<>();

    private final CliEnvironment env;
    private final String program;
    private final Diagnostics diag;

    SasldblistusersCommand(CliEnvironment env, String program) {
        this.env = env;
        this.program = program;
        this.diag = new Diagnostics(program, env);
    }

    /** Entry point of the jar and the launcher. */
    public static void main(String[] args) {
        System.exit(run(CliEnvironment.system(), args));
    }

    /** The command's picocli model, for generated documentation (the man pages). */
    public static CommandLine commandLine(CliEnvironment env) {
        return PicocliSetup.create(new SasldblistusersCommand(env, DEFAULT_NAME), env);
    }

    /** Runs one command line in {@code env}; returns the exit status. */
    public static int run(CliEnvironment env, String... args) {
        SasldblistusersCommand cmd = new SasldblistusersCommand(env, CyrusTexts.programName(DEFAULT_NAME));
        return CyrusCommandLine.run(cmd, env, cmd.diag, SHORT_OPTIONS, LONG_OPTIONS, args, () -> {
            try {
                return cmd.call();
            } catch (UncheckedIOException e) {
                throw new StoreException("cannot write the listing: " + e.getCause().getMessage(), e);
            }
        });
    }

    /**
     * sasldblistusers2's argument handling: {@code -v} wins over everything; {@code -h} asks
     * for the usage; a bad option prints glibc's message, and the usage ends with
     * "Unrecognized command line option" if the last of {@code -h}/bad option was bad; more than
     * one store is a usage error.
     *
     * @return the exit status if the run ends here, null to go on
     */
    @Override
    public Integer cyrusCommandLine(List<Getopt.Event> events) {
        // The loop has SaslpasswdCommand's shape, not its rules: each follows its own Cyrus
        // tool's main() (saslpasswd2 acts on -v and errors at once, sasldblistusers2 collects).
        boolean showVersion = false;
        boolean longVersion = false;
        boolean help = false;
        boolean bad = false;
        boolean longHelpAsked = false;
        boolean sawF = false;
        int count = 0;
        for (Getopt.Event e : events) {
            String msg = Getopt.message(program, e);
            if (msg != null) {
                diag.stream().println(msg);
                bad = true;
            } else if (e instanceof Getopt.Flag f) {
                switch (f.option()) {
                    case 'v' -> showVersion = true;
                    case 'f' -> sawF = true;
                    case 'h' -> {
                        help = true;
                        bad = false;
                    }
                    default -> bad = true; // -? is what getopt returns for errors: Cyrus cannot tell them apart
                }
            } else if (e instanceof Getopt.LongOption l) {
                switch (l.name()) {
                    case "--version" -> longVersion = true;
                    case "--help" -> longHelpAsked = true;
                    default -> { }
                }
            } else if (e instanceof Getopt.Operand) {
                count++;
            }
        }
        if (showVersion) {
            diag.raw(CyrusTexts.version());
            return ExitCodes.OK;
        }
        if (longVersion) {
            CyrusTexts.printVersionLine(env, program);
            return ExitCodes.OK;
        }
        if (longHelpAsked && !bad && !help) {
            return PicocliSetup.printHelp(this, env);
        }
        if (help || bad || count > 1 || (count == 1 && sawF)) {
            diag.raw(usage(program) + (bad ? "Unrecognized command line option\n" : ""));
            return ExitCodes.USAGE;
        }
        return null;
    }

    /** Takes sasldblistusers2's own options ({@code -f}, the store operand) from the scan. */
    @Override
    public void takeCyrusOptions(List<Getopt.Event> events) {
        for (Getopt.Event e : events) {
            if (e instanceof Getopt.Operand o) {
                operands.add(o.value());
            } else if (e instanceof Getopt.Flag f && f.option() == 'f') {
                dbPath = f.argument();
            }
        }
    }

    /** sasldblistusers2's usage text with our program name. */
    static String usage(String prog) {
        return CyrusTexts.BANNER
                + prog + ": usage: " + prog + " [-v] [[-f] sasldb]\n"
                + "\t-f sasldb\tuse given file as sasldb\n"
                + "\t-v\tprint version numbers and exit\n";
    }

    @Override
    public Integer call() {
        String given = dbPath != null ? dbPath : operands.isEmpty() ? null : operands.get(0);
        String refusal = StorePaths.passwordOnCommandLine(given);
        if (refusal != null) {
            diag.error(refusal);
            return ExitCodes.USAGE;
        }
        // A file path or a server address: CredentialStore.open(String) tells them apart.
        String name = StorePaths.resolve(given, DEFAULT_NAME, env).name();
        UserFilter filter = new UserFilter(realm, users);
        int[] skipped = {0};
        try (CredentialStore store = CredentialStore.open(name, StoreOptions.readOnly());
             Listing listing = json
                     ? new JsonListing(new BufferedWriter(new OutputStreamWriter(env.stdout(), StandardCharsets.UTF_8),
                             1 << 16))
                     : new TextListing(env.bufferedStdout())) {
            store.forEach(e -> {
                if (filter.accepts(e)) {
                    listing.add(e); // wipes the value once done with it
                } else {
                    e.wipe();
                }
            }, damage -> {
                skipped[0]++;
                diag.warn(damage.getMessage());
            });
        }
        if (skipped[0] > 0) {
            diag.error(skipped[0] + (skipped[0] == 1 ? " malformed record was" : " malformed records were")
                    + " skipped; the store is damaged");
            return ExitCodes.DAMAGED_RECORDS_SKIPPED;
        }
        return ExitCodes.OK;
    }
}
