package org.sasldb4j.saslpasswd;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sasldb4j.cli.AuditOption;
import org.sasldb4j.cli.BackendOption;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.CyrusCommandLine;
import org.sasldb4j.cli.CyrusTexts;
import org.sasldb4j.cli.CyrusTool;
import org.sasldb4j.cli.DefaultRealm;
import org.sasldb4j.cli.Diagnostics;
import org.sasldb4j.cli.ExitCodes;
import org.sasldb4j.cli.Getopt;
import org.sasldb4j.cli.InvalidPasswordException;
import org.sasldb4j.cli.PasswordConsole;
import org.sasldb4j.cli.PasswordInput;
import org.sasldb4j.cli.PasswordSourceOptions;
import org.sasldb4j.cli.PicocliSetup;
import org.sasldb4j.cli.StoreAudit;
import org.sasldb4j.cli.StorePaths;
import org.sasldb4j.store.Backend;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreFormat;
import org.sasldb4j.store.StoreNotFoundException;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.audit.AuditTrail;
import org.sasldb4j.store.audit.Change;
import org.sasldb4j.store.secret.SecretProperties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code saslpasswd}: sets or deletes a user's password in a sasldb, a drop-in for Cyrus
 * {@code saslpasswd2} (same options, texts, prompts and exit codes) that fixes what saslpasswd2
 * gets silently wrong. Long options are sasldb4j extensions, so every saslpasswd2 command line
 * keeps its meaning.
 */
@Command(name = "saslpasswd",
        customSynopsis = {
            "saslpasswd [-v] [-c [-p] [-n]] [-d] [-a appname] [-f sasldb] [-u DOM] [--default-realm R]",
            "           [--schemes LIST [--remove-plaintext]] [--password-file FILE | --password-fd N]",
            "           [--backend lmdb|sqlite] [--audit-log FILE] userid",
            "saslpasswd --disable|--enable [-a appname] [-f sasldb] [-u DOM] [--audit-log FILE] userid",
            "saslpasswd --batch FILE|- [-n] [--schemes LIST] [-a appname] [-f sasldb] [-u DOM] [--default-realm R]",
            "           [--backend B] [--audit-log FILE]"},
        description = {
            "Sets the password of a SASL user (stored as the plaintext userPassword property, as Cyrus"
                    + " saslpasswd2 does), or deletes the user with -d.",
            "The user id is split at its first @: alice@example.org is user alice in realm example.org;"
                    + " without @ the realm is -u, else --default-realm, else $SASLDB4J_DEFAULT_REALM,"
                    + " else the lowercased host name (which is then printed on stderr).",
            "Store: -f, else sasldb_path in <confdir>/<appname>.conf, else $SASL_DBNAME, else /etc/sasldb2."
                    + " A PostgreSQL store is named postgresql://[USER@]HOST[:PORT]/DB or service=NAME; its password"
                    + " comes from ~/.pgpass, PGPASSFILE or PGPASSWORD, never from the command line"
                    + " (docs/saslpasswd.md, \"PostgreSQL stores\").",
            "Every change (created, password-set with its schemes, disabled, enabled, deleted) is recorded, never a"
                    + " secret: to syslog (facility authpriv, tag saslpasswd) when /dev/log exists, and to the"
                    + " --audit-log file. SASLDB4J_CHANGE_TIMES=1 also stores each account's change time in the"
                    + " store (sasldb4j.changed, shown by sasldblistusers --json). See docs/guide.md, \"Audit"
                    + " trail\"."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitCodes.DOC_OK + "; also -d of a user that does not exist in an existing store (said on stderr)",
            ExitCodes.DOC_FAILURE,
            ExitCodes.DOC_INVALID + " (empty or mismatched password, password over 2048 bytes or with NUL,"
                    + " a password that is not UTF-8 for hashed secrets, a user id that is not UTF-8 or holds a"
                    + " control character)",
            ExitCodes.DOC_NO_SUCH_USER,
            ExitCodes.DOC_LAUNCHER},
        footer = {"%nSee docs/saslpasswd.md for the batch format and the differences from saslpasswd2."})
public final class SaslpasswdCommand implements Callable<Integer>, CyrusTool {
    /** saslpasswd2's getopt string. */
    static final String SHORT_OPTIONS = "vpcdnf:u:a:h?";
    static final String DEFAULT_APPNAME = "saslpasswd";
    /**
     * The long options and whether each takes an argument, for {@link Getopt}; a test keeps
     * this equal to the picocli model, which is built only when one of them is used.
     */
    static final Map<String, Boolean> LONG_OPTIONS = Map.ofEntries(
            Map.entry("--default-realm", true), Map.entry("--batch", true), Map.entry("--schemes", true),
            Map.entry("--remove-plaintext", false), Map.entry("--disable", false), Map.entry("--enable", false),
            Map.entry("--password-file", true), Map.entry("--password-fd", true), Map.entry("--backend", true),
            Map.entry("--audit-log", true), Map.entry("--help", false), Map.entry("--version", false));

    @Option(names = "-p", description = "Pipe mode: no prompt, the password is read from stdin"
            + " (automatic when stdin is not a terminal).")
    boolean pipe;

    @Option(names = "-c", description = "Create: accepted and ignored, as in saslpasswd2 (users are created"
            + " or replaced either way).")
    boolean create;

    @Option(names = "-d", description = "Delete the user: all of its records.")
    boolean disable;

    @Option(names = "-n", description = "Store hashed secrets (Argon2id, SCRAM-SHA-1, SCRAM-SHA-256) instead of the plaintext"
            + " userPassword; an existing userPassword is deleted, so the old password stops working.")
    boolean noPlain;

    @Option(names = "-f", paramLabel = "sasldb", description = "The store: a file, or a PostgreSQL server"
            + " (postgresql://[USER@]HOST[:PORT]/DB or service=NAME; no password here: use ~/.pgpass,"
            + " PGPASSFILE or PGPASSWORD).")
    String dbPath;

    @Option(names = "-u", paramLabel = "DOM", description = "Realm for a user id without @ (empty = not given).")
    String userDomain;

    @Option(names = "-a", paramLabel = "appname", description = "Application name: reads <appname>.conf"
            + " (default saslpasswd).")
    String appname = DEFAULT_APPNAME;

    @Option(names = "-v", description = "Print the version and exit.")
    boolean version;

    @Option(names = {"-h", "-?"}, description = "Print the saslpasswd2 usage and exit 1.")
    boolean cyrusHelp;

    @Option(names = "--default-realm", paramLabel = "R",
            description = "Realm for ids without @ when -u is not given; may be empty (the empty realm).")
    String defaultRealm;

    @Option(names = "--batch", paramLabel = "FILE|-",
            description = "Apply the add/del lines of FILE (- = stdin); see docs/saslpasswd.md.")
    String batch;

    @Option(names = "--schemes", paramLabel = "LIST",
            description = "Secrets to store, comma-separated: plaintext, argon2id, scram-sha-1, scram-sha-256,"
                    + " cram-md5, or hashed (= argon2id,scram-sha-1,scram-sha-256). Default: plaintext;"
                    + " with -n: hashed.")
    String schemes;

    @Option(names = "--remove-plaintext", description = "Accepted for older scripts: a password change now always"
            + " deletes the old plaintext userPassword (saslpasswd2 keeps it with -n).")
    boolean removePlaintext;

    @Option(names = "--disable", description = "Lock the account: logins fail, its secrets are kept. Reads no"
            + " password.")
    boolean lock;

    @Option(names = "--enable", description = "Unlock an account locked with --disable.")
    boolean unlock;

    @Mixin
    PasswordSourceOptions passwordSource = new PasswordSourceOptions();

    @Mixin
    BackendOption backendOption = new BackendOption();

    @Mixin
    AuditOption auditOption = new AuditOption();

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit 0.")
    boolean longHelp;

    @Option(names = "--version", description = "Print the version and exit.")
    boolean longVersion;

    @Parameters(paramLabel = "userid", arity = "0..*", description = "The user, USER or USER@REALM.")
    List<String> userIds = new ArrayList<>();

    private final CliEnvironment env;
    /** Whether the store was changed (a user written or deleted). */
    private boolean done;
    private final String program;
    private final Diagnostics diag;

    SaslpasswdCommand(CliEnvironment env, String program) {
        this.env = env;
        this.program = program;
        this.diag = new Diagnostics(program, env);
    }

    /** Entry point of the jar and the launcher. */
    public static void main(String[] args) {
        int rc = run(CliEnvironment.system(), args);
        System.exit(rc);
    }

    /** The command's picocli model, for generated documentation (the man pages). */
    public static CommandLine commandLine(CliEnvironment env) {
        return PicocliSetup.create(new SaslpasswdCommand(env, DEFAULT_APPNAME), env);
    }

    /** Runs one command line in {@code env}; returns the exit status. */
    public static int run(CliEnvironment env, String... args) {
        SaslpasswdCommand cmd = new SaslpasswdCommand(env, CyrusTexts.programName(DEFAULT_APPNAME));
        return CyrusCommandLine.run(cmd, env, cmd.diag, SHORT_OPTIONS, LONG_OPTIONS, args, cmd::call);
    }

    /**
     * Acts on the command line in getopt order, as saslpasswd2 does: {@code -v} prints the
     * version at once, {@code -a} with a slash fails at once, bad options are reported as glibc
     * does, and any error ends in the usage text.
     *
     * @return the exit status if the run ends here, null to go on
     */
    @Override
    public Integer cyrusCommandLine(List<Getopt.Event> events) {
        // The loop has SasldblistusersCommand's shape, not its rules: each follows its own Cyrus
        // tool's main() (saslpasswd2 acts on -v and errors at once, sasldblistusers2 collects).
        boolean error = false;
        boolean sawCreate = false;
        boolean sawDelete = false;
        boolean help = false;
        boolean batchMode = false;
        int operands = 0;
        for (Getopt.Event e : events) {
            String msg = Getopt.message(program, e);
            if (msg != null) {
                diag.stream().println(msg);
                error = true;
            } else if (e instanceof Getopt.Flag f) {
                switch (f.option()) {
                    case 'v' -> {
                        diag.raw(CyrusTexts.version());
                        return ExitCodes.OK;
                    }
                    case 'a' -> {
                        if (f.argument().indexOf('/') >= 0) {
                            // Cyrus prints this without the program name.
                            diag.stream().println("appname must not contain /");
                            return ExitCodes.USAGE;
                        }
                    }
                    case 'c' -> {
                        error |= sawDelete;
                        sawCreate = !sawDelete;
                    }
                    case 'd' -> {
                        error |= sawCreate;
                        sawDelete = !sawCreate;
                    }
                    case 'h', '?' -> error = true;
                    default -> { }
                }
            } else if (e instanceof Getopt.LongOption l) {
                switch (l.name()) {
                    case "--version" -> {
                        CyrusTexts.printVersionLine(env, program);
                        return ExitCodes.OK;
                    }
                    case "--help" -> help = true;
                    case "--batch" -> batchMode = true;
                    default -> { }
                }
            } else if (e instanceof Getopt.Operand) {
                operands++;
            }
        }
        if (!error && help) {
            return PicocliSetup.printHelp(this, env);
        }
        if (batchMode && operands > 0) {
            diag.error("--batch takes its user ids from the batch, not from the command line");
            error = true;
        }
        if (error || (!batchMode && operands != 1)) {
            diag.raw(usage(program));
            return ExitCodes.USAGE;
        }
        return null;
    }

    /**
     * Takes saslpasswd2's own options from the scanned command line, in order (the last of a
     * repeated option wins, as in picocli's parse with the same settings).
     */
    @Override
    public void takeCyrusOptions(List<Getopt.Event> events) {
        for (Getopt.Event e : events) {
            if (e instanceof Getopt.Operand o) {
                userIds.add(o.value());
            } else if (e instanceof Getopt.Flag f) {
                switch (f.option()) {
                    case 'p' -> pipe = true;
                    case 'c' -> create = true;
                    case 'd' -> disable = true;
                    case 'n' -> noPlain = true;
                    case 'f' -> dbPath = f.argument();
                    case 'u' -> userDomain = f.argument();
                    case 'a' -> appname = f.argument();
                    default -> { } // -v, -h and -? ended the run in cyrusCommandLine
                }
            }
        }
    }

    /**
     * saslpasswd2's usage text with our program name, byte for byte (docs/reference/cyrus-sasldb.md
     * §9.2); SaslpasswdCommandTest writes the same text out again on purpose, not read from here.
     */
    static String usage(String prog) {
        return CyrusTexts.BANNER
                + prog + ": usage: " + prog
                + " [-v] [-c [-p] [-n]] [-d] [-a appname] [-f sasldb] [-u DOM] userid\n"
                + "\t-p\tpipe mode -- no prompt, password read on stdin\n"
                + "\t-c\tcreate -- ask mechs to create the account\n"
                + "\t-d\tdisable -- ask mechs to disable/delete the account\n"
                + "\t-n\tno userPassword -- don't set plaintext userPassword property\n"
                + "\t  \t                   (only set mechanism-specific secrets)\n"
                + "\t-f sasldb\tuse given file as sasldb\n"
                + "\t-a appname\tuse appname as application name\n"
                + "\t-u DOM\tuse DOM for user domain\n"
                + "\t-v\tprint version numbers and exit\n";
    }

    @Override
    public Integer call() {
        Integer bad = checkExtensions();
        if (bad != null) {
            return bad;
        }
        Backend backend;
        try {
            backend = backendOption.backend();
        } catch (IllegalArgumentException e) {
            diag.error(e.getMessage());
            return ExitCodes.USAGE;
        }
        PasswordRecords policy;
        try {
            policy = PasswordRecords.of(noPlain, schemes);
        } catch (IllegalArgumentException e) {
            diag.error(e.getMessage());
            return ExitCodes.USAGE;
        }
        StorePaths.Resolved store = StorePaths.resolve(dbPath, appname, env);
        String refusal = StorePaths.passwordOnCommandLine(dbPath);
        if (refusal != null) {
            diag.error(refusal);
            return ExitCodes.USAGE;
        }
        DefaultRealm.Choice realm = DefaultRealm.choose(userDomain, defaultRealm, env);
        // Opened before anything is read or changed: an unsafe audit log stops the run here.
        try (AuditTrail audit = auditOption.open(env, diag, DEFAULT_APPNAME)) {
            if (batch != null) {
                return new BatchRunner(env, diag, store, backend, realm, policy, audit).run(batch);
            }
            return single(store, backend, realm, policy, audit);
        }
    }

    private int single(StorePaths.Resolved store, Backend backend, DefaultRealm.Choice realm, PasswordRecords policy,
            AuditTrail audit) {
        String id = userIds.get(0);
        UserId user;
        try {
            user = UserId.parse(id, realm.realm());
        } catch (IllegalArgumentException e) {
            diag.error("invalid parameter supplied: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        String refused = UserChecks.refusal(user);
        if (refused != null && !(disable && !refused.contains("UTF-8"))) {
            // -d may still name an id with a control character, to delete one made elsewhere.
            diag.error("invalid parameter supplied: " + refused);
            return ExitCodes.INVALID_INPUT;
        }
        for (String w : UserChecks.unreachable(user)) {
            diag.warn(w);
        }
        int rc;
        if (lock || unlock) {
            rc = setLocked(store, user, lock, audit);
        } else {
            rc = disable ? delete(store, user, audit) : setPassword(store, backend, user, policy, audit);
        }
        if (rc == ExitCodes.OK && done && !UserId.hasRealm(id) && realm.fromHostname()) {
            // Said after the change, and only then: it tells where the user now is (defect D6).
            diag.note(UserChecks.hostnameRealmNote(realm.realm(), userDomain));
        }
        return rc;
    }

    /** Combinations of the extensions that make no sense; null if none. */
    private Integer checkExtensions() {
        String problem = null;
        if (passwordSource.conflicting()) {
            problem = "give either --password-file or --password-fd, not both";
        } else if (disable && passwordSource.isSet()) {
            problem = "-d deletes the user and reads no password; drop " + passwordSource.describe();
        } else if (batch != null && disable) {
            problem = "--batch cannot be combined with -d; write 'del USER' lines instead";
        } else if (batch != null && passwordSource.isSet()) {
            problem = "--batch reads the passwords from the batch; drop " + passwordSource.describe();
        } else if (lock && unlock) {
            problem = "give either --disable or --enable, not both";
        } else if ((lock || unlock) && (disable || batch != null || passwordSource.isSet() || noPlain
                || schemes != null)) {
            problem = (lock ? "--disable" : "--enable") + " only locks or unlocks an account; it cannot be"
                    + " combined with -d, -n, --schemes, --batch or a password option";
        } else if (removePlaintext && !noPlain && (schemes == null || schemes.contains("plaintext"))) {
            problem = "--remove-plaintext goes with -n or with --schemes without plaintext";
        }
        if (problem == null) {
            return null;
        }
        diag.error(problem);
        return ExitCodes.USAGE;
    }

    private int delete(StorePaths.Resolved name, UserId user, AuditTrail audit) {
        if (!name.isServer()) {
            Path dir = name.path().toAbsolutePath().getParent();
            if (dir != null && !java.nio.file.Files.isDirectory(dir)) {
                // A mistyped -f: said before the store's directories are checked, in the user's terms.
                return missingStore(name, user);
            }
        }
        int deleted;
        try (CredentialStore store = CredentialStore.open(name.name(),
                StoreOptions.create().withAccess(StoreOptions.Access.READ_WRITE))) {
            deleted = store.write(w -> w.deleteUser(user));
        } catch (StoreNotFoundException e) {
            // Cyrus creates the file here; there is nothing to delete, so nothing is created.
            return missingStore(name, user);
        }
        done = deleted > 0;
        if (done) {
            StoreAudit.record(audit, name.name(), Change.DELETED, user, List.of());
        }
        if (deleted == 0) {
            // Cyrus is silent and exits 0 (defect D8, docs/reference/cyrus-sasldb.md §14); scripts
            // rely on the 0, people need the message.
            diag.error("user not found: " + user + " (nothing deleted)");
        }
        return ExitCodes.OK;
    }

    /**
     * {@code -d} with no store at {@code path}. Exit statuses as saslpasswd2's: 1 when the
     * directory is missing too (a mistyped {@code -f}), 0 when only the file is (Cyrus creates it).
     */
    private int missingStore(StorePaths.Resolved name, UserId user) {
        if (!name.isServer()) {
            Path path = name.path();
            Path dir = path.toAbsolutePath().getParent();
            if (dir != null && !java.nio.file.Files.isDirectory(dir)) {
                diag.error(path + ": no such store, and no directory " + dir + "; check -f (nothing deleted)");
                return ExitCodes.FAILURE;
            }
        }
        // A server store without the sasldb4j schema is missing the same way: nothing is created.
        diag.error("user not found: " + user + " (nothing deleted): there is no store at " + name.display()
                + "; check -f");
        return ExitCodes.OK;
    }

    private int setPassword(StorePaths.Resolved name, Backend backend, UserId user, PasswordRecords policy,
            AuditTrail audit) {
        // Refuse a foreign or damaged file before asking for a password nobody can store.
        refuseForeign(name);
        byte[] password;
        try {
            password = readPassword();
        } catch (InvalidPasswordException e) {
            diag.error(e.getMessage());
            return ExitCodes.INVALID_INPUT;
        } catch (Mismatch e) {
            diag.error("passwords don't match; aborting");
            return ExitCodes.INVALID_INPUT;
        } catch (IOException e) {
            diag.error("cannot read the password: " + e.getMessage());
            return ExitCodes.FAILURE;
        } catch (NoTerminal e) {
            diag.error(e.getMessage());
            return ExitCodes.FAILURE;
        }
        List<Entry> records = List.of();
        try {
            if (password.length == 0) {
                diag.error("invalid parameter supplied: the password is empty");
                return ExitCodes.INVALID_INPUT;
            }
            // Hashing happens here, before the write transaction: Argon2 must not hold the lock.
            records = policy.recordsFor(user, password);
            List<Entry> toWrite = records;
            boolean existed = NewStore.exists(name);
            boolean created;
            try (CredentialStore store = CredentialStore.open(name.name(), StoreOptions.create().withBackend(backend))) {
                created = store.write(w -> {
                    boolean isNew = PasswordRecords.isNew(w, user);
                    policy.apply(w, user, toWrite);
                    audit.stamp(w, user, Instant.now());
                    return isNew;
                });
            } catch (RuntimeException e) {
                if (!existed) {
                    NewStore.removeIfEmpty(name); // a failed command leaves no empty store behind
                }
                throw e;
            }
            done = true;
            StoreAudit.record(audit, name.name(), created ? Change.CREATED : Change.PASSWORD_SET, user, policy.schemes());
            return ExitCodes.OK;
        } catch (InvalidPasswordException e) {
            diag.error(e.getMessage());
            return ExitCodes.INVALID_INPUT;
        } finally {
            Arrays.fill(password, (byte) 0);
            records.forEach(Entry::wipe);
        }
    }

    /** {@code --disable} / {@code --enable}: the mark that locks an account without losing its secrets. */
    private int setLocked(StorePaths.Resolved name, UserId user, boolean locked, AuditTrail audit) {
        boolean[] changed = {false};
        boolean exists;
        try (CredentialStore store = CredentialStore.open(name.name(),
                StoreOptions.create().withAccess(StoreOptions.Access.READ_WRITE))) {
            exists = store.write(w -> {
                List<Entry> records = w.user(user);
                records.forEach(Entry::wipe);
                if (records.isEmpty()) {
                    return false;
                }
                if (locked) {
                    changed[0] = w.get(user, SecretProperties.DISABLED).isEmpty();
                    if (changed[0]) {
                        w.put(user, SecretProperties.DISABLED, SecretProperties.disabledValue(Instant.now()));
                    }
                } else {
                    changed[0] = w.delete(user, SecretProperties.DISABLED);
                }
                if (changed[0]) {
                    audit.stamp(w, user, Instant.now());
                }
                return true;
            });
        } catch (StoreNotFoundException e) {
            exists = false;
        }
        if (!exists) {
            diag.error("user not found: " + user);
            return ExitCodes.NO_SUCH_USER;
        }
        done = true;
        if (changed[0]) {
            StoreAudit.record(audit, name.name(), locked ? Change.DISABLED : Change.ENABLED, user, List.of());
        }
        if (!changed[0]) {
            diag.note(user + (locked ? " was already disabled" : " was not disabled"));
        }
        return ExitCodes.OK;
    }

    /**
     * Fails with the store's message if {@code path} holds something other than a store (a
     * Berkeley DB sasldb2, text, a damaged file), so that no password is asked for in vain. A
     * server store has no file to look at: its schema is checked when it is opened.
     */
    static void refuseForeign(StorePaths.Resolved name) {
        if (name.isServer()) {
            return;
        }
        Path path = name.path();
        StoreFormat format = StoreFormat.detect(path);
        if (format != StoreFormat.MISSING && format != StoreFormat.EMPTY && !format.isStore()) {
            // open() throws ForeignFormatException, with the migration command where one applies.
            CredentialStore.open(path, StoreOptions.readOnly()).close();
        }
    }

    /** The password from an option, a pipe, or the terminal (twice, compared). */
    private byte[] readPassword() throws IOException, InvalidPasswordException, Mismatch, NoTerminal {
        if (passwordSource.isSet()) {
            return passwordSource.read(env);
        }
        if (pipe || !env.stdinIsTerminal()) {
            return PasswordInput.read(env.stdin(), env.stdinIsTerminal(), "standard input");
        }
        PasswordConsole console = env.console();
        if (console == null) {
            throw new NoTerminal("standard input is a terminal but standard output is not, so the password"
                    + " cannot be prompted for with echo off; use -p, --password-file or --password-fd");
        }
        byte[] first = typed(console, "Password: ");
        byte[] second = null;
        try {
            second = typed(console, "Again (for verification): ");
            if (!MessageDigest.isEqual(first, second)) {
                throw new Mismatch();
            }
            byte[] result = first;
            first = null;
            return result;
        } finally {
            if (first != null) {
                Arrays.fill(first, (byte) 0);
            }
            if (second != null) {
                Arrays.fill(second, (byte) 0);
            }
        }
    }

    private static byte[] typed(PasswordConsole console, String prompt) throws InvalidPasswordException {
        char[] chars = console.readPassword(prompt);
        if (chars == null) {
            // Ctrl-D: the terminal printed no newline; saslpasswd2 prints one.
            console.newline();
            return new byte[0];
        }
        return PasswordInput.fromChars(chars, console.charset(), "the terminal");
    }

    /** The two typed passwords differ. */
    private static final class Mismatch extends Exception {
        private static final long serialVersionUID = 1L;
    }

    /** A prompt is needed but there is no terminal to prompt on. */
    private static final class NoTerminal extends Exception {
        private static final long serialVersionUID = 1L;

        NoTerminal(String message) {
            super(message);
        }
    }
}
