package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.sasldb4j.auxprop.AuthorizationPolicy;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.CyrusTexts;
import org.sasldb4j.cli.DefaultRealm;
import org.sasldb4j.cli.ExitCodes;
import org.sasldb4j.cli.PicocliSetup;
import org.sasldb4j.cli.StoreAdvice;
import org.sasldb4j.cli.StorePaths;
import org.sasldb4j.auxprop.LoginRehash;
import org.sasldb4j.store.Backend;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreNotFoundException;
import org.sasldb4j.store.StoreAddress;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.postgresql.DirectReads;
import org.sasldb4j.store.postgresql.Replica;
import org.sasldb4j.store.UnsafePermissionsException;
import org.sasldb4j.store.audit.AuditSettings;
import org.sasldb4j.store.audit.AuditTrail;
import org.sasldb4j.store.audit.Change;
import org.sasldb4j.store.secret.SecretScheme;
import org.sasldb4j.store.secret.Argon2Parameters;
import org.sasldb4j.store.secret.ScramSaltKey;
import org.sasldb4j.store.secret.SecretCensus;
import org.sasldb4j.store.secret.SecretSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sasldb-authd}: serves a sasldb4j store to Postfix and other SASL clients over UNIX
 * sockets, in the Dovecot auth-client protocol ({@code smtpd_sasl_type = dovecot}) and/or the
 * saslauthd protocol ({@code pwcheck_method: saslauthd}).
 *
 * <p>Signals: SIGHUP reopens the store and empties the verification cache; SIGTERM and SIGINT
 * stop accepting, remove the sockets and exit 0.
 */
@Command(name = "sasldb-authd", mixinStandardHelpOptions = false, sortOptions = false,
        customSynopsis = {
            "sasldb-authd [--dovecot-socket PATH] [--saslauthd-socket PATH] [--socket-group GROUP]",
            "             [-f sasldb | -f FILE --replica-of NAME] [--realm REALM] [--secrets auto|hashed|plaintext]",
            "             [--pid-file FILE] [OPTION]...",
            "sasldb-authd test-login [OPTION]... USER"},
        description = {
            "Serves a sasldb4j store to Postfix (smtpd_sasl_type = dovecot) and to libsasl's"
                    + " pwcheck_method: saslauthd, over UNIX sockets.",
            "Give at least one of --dovecot-socket and --saslauthd-socket. Sockets are created mode 0660"
                    + " (group: --socket-group) and the store must not be accessible to others."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitCodes.OK + ":stopped cleanly (TERM/INT)",
            ExitCodes.FAILURE + ":usage error, or the daemon could not start (one line on stderr says why:"
                    + " the store, a socket, an unknown --socket-group...)",
            ExitCodes.DOC_LAUNCHER},
        versionProvider = AuthdCommand.Version.class,
        footer = {"%nConfiguration: every option above except --config, --check-config, --help and --version"
                + " may be set in the configuration file (default /etc/sasldb4j/sasldb-authd.conf), one"
                + " 'option = value' per line without the leading --, # comment lines; a flag is written alone."
                + " Command-line options override the file. See docs/sasldb-authd.conf.",
            "%nSignals: HUP reopens the store; TERM/INT stop cleanly. See docs/postfix.md."})
public final class AuthdCommand implements Callable<Integer> {
    @Option(names = {"-f", "--store"}, paramLabel = "sasldb",
            description = "The store (default: sasldb_path in <confdir>/<appname>.conf, $SASL_DBNAME, /etc/sasldb2):"
                    + " a file, or a PostgreSQL store (postgresql://... or service=NAME) that logins then read"
                    + " directly through --pool-size connections; with --replica-of, the local replica file.")
    String store;

    @Option(names = "--replica-of", paramLabel = "NAME",
            description = "Serve logins from a local LMDB replica (-f FILE, Cyrus layout) of the PostgreSQL store"
                    + " NAME (postgresql://... or service=NAME; the password from ~/.pgpass, PGPASSFILE or"
                    + " PGPASSWORD, never in NAME on the command line): copied when FILE is new, then kept up to"
                    + " date from the database's change log; while the database is unreachable the last copy is"
                    + " served (docs/replica.md).")
    String replicaOf;

    @Option(names = "--pool-size", paramLabel = "N",
            description = "With -f postgresql://... (logins read the database directly): connections to the"
                    + " database open at most (default: 4).")
    int poolSize = 4;

    @Option(names = "--pool-wait", paramLabel = "DURATION", converter = Durations.class,
            description = "With -f postgresql://...: longest wait for a free connection before a login is answered"
                    + " with a temporary failure; a new connection, and each answer of the database, are waited for"
                    + " as long, but at least 3s (default: 2s).")
    Duration poolWait = Duration.ofSeconds(2);

    @Option(names = "--dovecot-socket", paramLabel = "PATH",
            description = "Dovecot auth-client socket, e.g. /var/spool/postfix/private/auth.")
    Path dovecotSocket;

    @Option(names = "--saslauthd-socket", paramLabel = "PATH",
            description = "saslauthd socket, e.g. /var/spool/postfix/var/run/saslauthd/mux.")
    Path saslauthdSocket;

    @Option(names = "--socket-group", paramLabel = "GROUP", description = "Group owning the sockets (e.g. postfix).")
    String socketGroup;

    @Option(names = "--realm", paramLabel = "REALM",
            description = "Realm of logins without @ (default: $SASLDB4J_DEFAULT_REALM, else the host name;"
                    + " use Postfix's myhostname for users migrated from Cyrus sasldb).")
    String realm;

    @Option(names = "--mechanisms", paramLabel = "LIST", split = "[ ,]+",
            description = "Mechanisms on the Dovecot socket (default: PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256;"
                    + " DIGEST-MD5 also available).")
    List<String> mechanisms = new ArrayList<>(Mechanism.DEFAULT_NAMES);

    /** The default of {@code --secrets}: the stand-in follows the store ({@link SecretCensus}). */
    static final String SECRETS_AUTO = "auto";

    @Option(names = "--secrets", paramLabel = "auto|hashed|plaintext",
            description = "What the store's users hold, so an unknown user costs the same time as a known one"
                    + " (default: auto: what most of the store's users hold, counted at start and at each reload;"
                    + " plaintext for an empty store, as saslpasswd stores).")
    String secrets = SECRETS_AUTO;

    @Option(names = "--salt-key", paramLabel = "FILE",
            description = "Key of the SCRAM salts of users without stored SCRAM keys, created (32 random bytes,"
                    + " mode 0600) if missing; keeps those salts across restarts so they do not tell who exists"
                    + " (default: salt-key in $STATE_DIRECTORY when systemd sets it, else in /var/lib/sasldb4j"
                    + " when that is this user's directory or holds the key, else none: a new key at each start).")
    Path saltKey;

    @Option(names = "--failure-delay", paramLabel = "DURATION", converter = Durations.class,
            description = "Delay before a failed login is answered (default: 2s).")
    Duration failureDelay = Duration.ofSeconds(2);

    @Option(names = "--throttle", paramLabel = "on|off",
            description = "Slow down password guessing: each failed login from a client address, or for an account,"
                    + " doubles the wait of the next answers to that address (a success clears it) and of the next"
                    + " failures for that account; a right password from a clean address is answered at once"
                    + " (default: on).")
    String throttle = "on";

    @Option(names = "--throttle-delay", paramLabel = "DURATION", converter = Durations.class,
            description = "The wait after the first failure; each further one doubles it (default: 2s).")
    Duration throttleDelay = ThrottleSettings.DEFAULT.delay();

    @Option(names = "--throttle-max-delay", paramLabel = "DURATION", converter = Durations.class,
            description = "The longest wait (default: 8s; Postfix gives up on an answer after 10s).")
    Duration throttleMaxDelay = ThrottleSettings.DEFAULT.maxDelay();

    @Option(names = "--throttle-entries", paramLabel = "N",
            description = "Client addresses, and accounts, remembered at most; the least useful are forgotten"
                    + " first (default: 65536).")
    int throttleEntries = ThrottleSettings.DEFAULT.maxEntries();

    @Option(names = "--throttle-forget", paramLabel = "DURATION", converter = Durations.class,
            description = "Forget an address or account after this long without a failure (default: 15m).")
    Duration throttleForget = ThrottleSettings.DEFAULT.forgetAfter();

    @Option(names = "--request-timeout", paramLabel = "DURATION", converter = Durations.class,
            description = "An unfinished Dovecot request is failed after this (default: 60s).")
    Duration requestTimeout = Duration.ofSeconds(60);

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = Durations.class,
            description = "Close a Dovecot connection idle this long; 0 = never (default: 15m).")
    Duration idleTimeout = Duration.ofMinutes(15);

    @Option(names = "--io-timeout", paramLabel = "DURATION", converter = Durations.class,
            description = "Longest wait for a write, or for a whole saslauthd request (default: 5s).")
    Duration ioTimeout = Duration.ofSeconds(5);

    @Option(names = "--max-connections", paramLabel = "N",
            description = "Connections served at once, per socket (default: 256; Postfix keeps one per smtpd process).")
    int maxConnections = 256;

    @Option(names = "--pool-idle-timeout", paramLabel = "DURATION", converter = Durations.class,
            description = "An idle connection-handler thread exits after this; a few stay (default: 60s).")
    Duration poolIdleTimeout = DaemonConfig.DEFAULT_POOL_IDLE_TIMEOUT;

    @Option(names = "--memory-budget", paramLabel = "MiB",
            description = "Memory all concurrent password hashing may use; 0 = unlimited (default: 512).")
    int memoryBudgetMib = 512;

    @Option(names = "--hash-memory", paramLabel = "KiB",
            description = "Memory one verification is counted as (default: the Argon2id default, 19456).")
    int hashMemoryKib = Argon2Parameters.CURRENT.memoryKiB();

    @Option(names = "--queue-timeout", paramLabel = "DURATION", converter = Durations.class,
            description = "Longest wait for hashing memory before a temporary failure (default: 5s;"
                    + " Postfix gives up after 10s).")
    Duration queueTimeout = Duration.ofSeconds(5);

    @Option(names = "--cache-ttl", paramLabel = "DURATION", converter = Durations.class,
            description = "Remember successful saslauthd verifications this long (keyed by HMAC, no password"
                    + " kept), while the user's records are unchanged; 0 = off (default). A changed password"
                    + " takes effect at the next login.")
    Duration cacheTtl = Duration.ZERO;

    @Option(names = "--rehash-on-login",
            description = "After a successful PLAIN or LOGIN login or saslauthd check whose stored secrets differ"
                    + " from --rehash-schemes (plaintext only, legacy Cyrus secrets, older Argon2id or SCRAM"
                    + " parameters), rewrite them from the password just checked: after the answer, within"
                    + " --memory-budget (dropped when it is busy), and only if the user's records are unchanged"
                    + " since the login. Disabled accounts are never rewritten. The store is opened read-write:"
                    + " the daemon needs write access to it and its lock file (docs/postfix.md, \"Upgrading hashes"
                    + " as users log in\").")
    boolean rehashOnLogin;

    @Option(names = "--rehash-schemes", paramLabel = "LIST",
            description = "What --rehash-on-login stores, as saslpasswd --schemes: plaintext, argon2id, scram-sha-1,"
                    + " scram-sha-256, cram-md5, hashed (default: hashed = argon2id,scram-sha-1,scram-sha-256)."
                    + " Password secrets not in it are deleted, so it must serve every mechanism of --mechanisms:"
                    + " CRAM-MD5 needs plaintext or cram-md5, DIGEST-MD5 plaintext.")
    String rehashSchemes = "hashed";

    @Option(names = "--saslauthd-client-address",
            description = "Read a fifth counted string, the client address (Cyrus master's saslauthd protocol).")
    boolean clientAddressField;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", converter = MetricsAddress.class,
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9187); off by"
                    + " default. The endpoint has no authentication: listen on loopback or firewall the port.")
    java.net.InetSocketAddress metrics;

    /**
     * Accepted and ignored: the daemon always stays in the foreground (systemd's {@code
     * Type=simple}; a shell starts it with {@code &}). Hidden; kept so unit files and scripts
     * written when it chose between foreground and detaching still start.
     */
    @Option(names = "--foreground", hidden = true)
    boolean foreground;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the process id here.")
    Path pidFile;

    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "java.util.logging level: WARNING, INFO (default; one line per login), FINE.")
    String logLevel = "INFO";

    @Option(names = "--config", paramLabel = "FILE",
            description = "Read options from FILE (default: /etc/sasldb4j/sasldb-authd.conf if it exists);"
                    + " options on the command line override it.")
    Path config;

    @Option(names = "--check-config",
            description = "Check the configuration file and options as a start would (store, socket directories,"
                    + " group, pid file, salt key), print 'configuration OK' or the problem, and exit"
                    + " without binding any socket.")
    boolean checkConfig;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "Print the version and exit.")
    boolean version;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final CliEnvironment env;
    /** Where re-hashes at login are recorded; opened only with {@code --rehash-on-login}. */
    private AuditTrail rehashAudit;
    private final CountDownLatch stop = new CountDownLatch(1);

    AuthdCommand(CliEnvironment env) {
        this.env = env;
    }

    public static void main(String[] args) {
        int rc = run(CliEnvironment.system(), args);
        if (rc != RUNNING) {
            System.exit(rc);
        }
    }

    /** Sentinel: never returned by {@link #call()} in practice; the foreground daemon exits itself. */
    static final int RUNNING = Integer.MIN_VALUE;

    /** The command's picocli model, for generated documentation (the man pages). */
    public static CommandLine commandLine(CliEnvironment env) {
        CommandLine cl = configured(new CommandLine(new AuthdCommand(env)), env);
        cl.addSubcommand(TestLoginCommand.NAME, TestLoginCommand.commandLine(env, ConfigFile.DEFAULT));
        return cl;
    }

    static int run(CliEnvironment env, String... args) {
        return run(env, ConfigFile.DEFAULT, args);
    }

    /**
     * Runs with {@code defaultConfig} as the file read when there is no {@code --config}: the
     * file supplies picocli's default values, so the command line overrides it.
     */
    static int run(CliEnvironment env, Path defaultConfig, String... args) {
        if (args.length > 0 && args[0].equals(TestLoginCommand.NAME)) {
            // Its own command line: exit statuses of its own, and the daemon's file read only for what it needs.
            return TestLoginCommand.commandLine(env, defaultConfig).execute(
                    java.util.Arrays.copyOfRange(args, 1, args.length));
        }
        String given = ConfigFile.configArgument(args);
        ConfigFile file;
        try {
            // --help and --version work even while the file is broken: they are how one fixes it.
            file = java.util.Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.equals("-h")
                    || a.equals("--version")) ? ConfigFile.empty()
                    : given == null ? ConfigFile.read(defaultConfig, false, () -> new CommandLine(new AuthdCommand(env)))
                    : ConfigFile.read(Path.of(given), true, () -> new CommandLine(new AuthdCommand(env)));
        } catch (IllegalArgumentException e) {
            env.stderr().println("sasldb-authd: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        CommandLine cl = commandLine(env);
        cl.getCommandSpec().defaultValueProvider(file); // the daemon's options only, not test-login's
        return cl.execute(args);
    }

    /** {@code --version}: the program and the project version first, as every sasldb4j tool. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {CyrusTexts.versionLine("sasldb-authd")};
        }
    }

    /**
     * The exit codes of {@link ExitCodes} (picocli's own are 2 for usage), one line and no stack
     * trace for any error, and {@code --opt VALUE} in the help (getopt reads {@code -f=x} as the
     * path {@code =x}).
     */
    private static CommandLine configured(CommandLine cl, CliEnvironment env) {
        PrintStream err = env.stderr();
        // UTF-8 like stdout: the platform default (ASCII under LANG=C) would turn names into "?".
        cl.setErr(new java.io.PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        cl.setOut(new java.io.PrintWriter(new java.io.OutputStreamWriter(env.stdout(), StandardCharsets.UTF_8), true));
        PicocliSetup.spaceInHelp(cl);
        cl.setExitCodeExceptionMapper(t -> ExitCodes.FAILURE);
        cl.setParameterExceptionHandler((e, args) -> {
            if (e.getCommandLine().getCommandName().equals(TestLoginCommand.NAME)) {
                return TestLoginCommand.usageError(err, PicocliSetup.oneLine(e));
            }
            err.println("sasldb-authd: " + PicocliSetup.oneLine(e) + "; try sasldb-authd --help");
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler((e, c, parsed) -> {
            err.println("sasldb-authd: cannot start: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return ExitCodes.FAILURE;
        });
        return cl;
    }

    /**
     * The one realm rule of every tool: a realm given (-u, --realm, $SASLDB4J_DEFAULT_REALM,
     * user@REALM) is used byte for byte, as saslpasswd stores it; only the host name is
     * lowercased. So {@code --realm} is the lookup realm as given (Cyrus's {@code user_realm}),
     * never folded: a user made with {@code saslpasswd -u EX.ORG} logs in without {@code @}.
     */
    static BridgeConfig bridgeConfig(DefaultRealm.Choice realmChoice, SecretSet policy) {
        String userRealm = realmChoice.fromHostname() ? null : realmChoice.realm();
        return new BridgeConfig(realmChoice.realm(), userRealm, AuthorizationPolicy.SAME_USER,
                BridgeConfig.DEFAULT_SCRAM_ITERATIONS, policy);
    }

    /**
     * The target of {@code --rehash-on-login}: {@code schemes} parsed as {@code saslpasswd
     * --schemes}, refused if a user holding only those secrets could not use one of the
     * advertised mechanisms (the re-hash would take it away from them at their next login).
     *
     * @throws IllegalArgumentException one line saying what to change
     */
    static SecretSet rehashTarget(String schemes, List<Mechanism> advertised) {
        SecretSet target;
        try {
            target = SecretSet.parse(schemes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--rehash-schemes: " + e.getMessage());
        }
        boolean plain = target.contains(SecretSet.Kind.PLAINTEXT);
        for (Mechanism m : advertised) {
            String needs = switch (m.name()) {
                case "CRAM-MD5" -> plain || target.contains(SecretSet.Kind.CRAM_MD5) ? null : "plaintext or cram-md5";
                case "DIGEST-MD5" -> plain ? null : "plaintext";
                case "SCRAM-SHA-1" -> plain || target.contains(SecretSet.Kind.SCRAM_SHA_1) ? null
                        : "plaintext or scram-sha-1";
                case "SCRAM-SHA-256" -> plain || target.contains(SecretSet.Kind.SCRAM_SHA_256) ? null
                        : "plaintext or scram-sha-256";
                default -> null; // PLAIN, LOGIN: any secret
            };
            if (needs != null) {
                throw new IllegalArgumentException("--rehash-schemes " + target + " cannot serve " + m.name()
                        + ", which --mechanisms offers: users re-hashed at login would lose it; add " + needs
                        + " to --rehash-schemes or leave " + m.name() + " out of --mechanisms");
            }
        }
        return target;
    }

    /** The realm rule as applied, for the start-up line: which realm, from where, folded or not. */
    static String realmRule(DefaultRealm.Choice c) {
        String origin = switch (c.origin()) {
            case "--default-realm" -> "--realm";
            case DefaultRealm.ENV -> "$" + DefaultRealm.ENV;
            default -> c.origin();
        };
        return "logins without @ are looked up in realm '" + c.realm() + "', "
                + (c.fromHostname() ? "this host's name, lowercased" : "from " + origin + ", exactly as given")
                + "; realms are case-sensitive";
    }

    /** Refuses an unknown {@code --socket-group} before anything is created. */
    private static String checkGroup(String group) {
        if (group == null || group.isEmpty()) {
            return null;
        }
        try {
            FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
            return null;
        } catch (UserPrincipalNotFoundException e) {
            return "--socket-group " + group + ": no such group; give an existing group (the one Postfix runs as,"
                    + " e.g. postfix) or leave the option out";
        } catch (IOException e) {
            return "--socket-group " + group + ": cannot look up the group: " + e.getMessage();
        }
    }

    @Override
    public Integer call() {
        PrintStream err = env.stderr();
        Level level;
        try {
            level = Level.parse(logLevel.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            err.println("sasldb-authd: unknown log level '" + logLevel + "'");
            return ExitCodes.USAGE;
        }
        String badGroup = checkGroup(socketGroup);
        if (badGroup != null) {
            err.println("sasldb-authd: " + badGroup);
            return ExitCodes.USAGE;
        }
        String server = replicaOf != null ? replicaOf : StoreAddress.isServer(store) ? store : null;
        String badServer = checkServer(server);
        if (badServer != null) {
            err.println("sasldb-authd: " + badServer);
            return ExitCodes.USAGE;
        }
        DaemonConfig config;
        String realmRule;
        Path storePath;
        BridgeConfig bridgeConfig;
        String serverName;
        SecretSet rehashTarget;
        try {
            // A database read directly has no file: its redacted name stands for it in messages.
            storePath = replicaOf == null && server != null ? Path.of(StoreAddress.redacted(server))
                    : StorePaths.resolve(store, "sasldb-authd", env).path();
            DefaultRealm.Choice realmChoice = DefaultRealm.choose(null, realm, env);
            serverName = realmChoice.realm();
            SecretSet policy = policyOf(secrets);
            realmRule = realmRule(realmChoice);
            bridgeConfig = bridgeConfig(realmChoice, policy);
            rehashTarget = rehashOnLogin ? rehashTarget(rehashSchemes, Mechanism.parseList(mechanisms)) : null;
            DaemonSettings settings = new DaemonSettings(Mechanism.parseList(mechanisms), realmChoice.realm(),
                    failureDelay, requestTimeout, idleTimeout, ioTimeout, DaemonSettings.DEFAULT_MAX_LINE, 64,
                    clientAddressField);
            config = new DaemonConfig(dovecotSocket, saslauthdSocket, socketGroup, maxConnections, settings,
                    Math.multiplyExact(memoryBudgetMib, 1024), hashMemoryKib, queueTimeout, cacheTtl, poolIdleTimeout,
                    throttleSettings());
            if (config.memoryBudgetKib() > 0 && hashMemoryKib > config.memoryBudgetKib()) {
                throw new IllegalArgumentException("--hash-memory is larger than --memory-budget");
            }
        } catch (IllegalArgumentException | ArithmeticException | StoreException e) {
            err.println("sasldb-authd: " + e.getMessage());
            return 1;
        }
        if (checkConfig && server != null) {
            Path sp = storePath;
            BridgeConfig bc = bridgeConfig;
            String sn = serverName;
            return ConfigCheck.run(env.stdout(), err, config, () -> replicaOf != null && Files.exists(sp)
                    ? BridgeBackend.open(sp, bc, sn) // an existing replica is served even with the database down
                    : BridgeBackend.over(DirectReads.open(server, 1, poolWait, queryTimeout(poolWait)), bc, sn,
                            ScramSaltKey.random()),
                    pidFile, saltKey != null ? saltKey : defaultSaltKey());
        }
        if (checkConfig) {
            boolean writes = rehashTarget != null;
            return ConfigCheck.run(env.stdout(), err, config, () -> {
                if (writes) {
                    checkWritable(storePath);
                }
                return BridgeBackend.open(storePath, bridgeConfig, serverName);
            }, pidFile, saltKey != null ? saltKey : defaultSaltKey());
        }
        ScramSaltKey salts;
        try {
            // Before any socket exists, so a bad key file leaves nothing behind.
            Path keyFile = saltKey != null ? saltKey : defaultSaltKey();
            salts = keyFile == null ? ScramSaltKey.random() : ScramSaltKey.loadOrCreate(keyFile);
        } catch (StoreException e) {
            err.println("sasldb-authd: " + e.getMessage());
            return 1;
        }
        LogSetup.configure(err, level);
        try {
            if (pidFile != null) {
                PidFile.check(pidFile); // before any socket exists: refuse an unsafe --pid-file cleanly
            }
        } catch (IOException e) {
            err.println("sasldb-authd: " + e.getMessage());
            return 1;
        }
        Replica replica = null;
        if (replicaOf != null) {
            try {
                replica = Replica.start(replicaOf, storePath, Replica.Settings.DEFAULT, AuthLog.LOGGER);
            } catch (StoreException e) {
                err.println("sasldb-authd: " + StoreAdvice.message(e));
                return 1;
            }
        }
        AuthDaemon daemon;
        WorkLimiter limiter = AuthDaemon.limiterFor(config);
        RehashQueue rehashQueue = rehashTarget == null ? null : new RehashQueue(limiter,
                rehashTarget.contains(SecretSet.Kind.ARGON2ID) ? rehashTarget.argon2().memoryKiB() : 1);
        try {
            Path sp = storePath;
            BridgeConfig bc = bridgeConfig;
            String sn = serverName;
            // The audit trail's "rehashed" record is written by this listener.
            LoginRehash rehash = rehashQueue == null ? null
                    : new LoginRehash(rehashTarget, rehashQueue, rehashAudit(sp), AuthLog.LOGGER);
            Replica r = replica;
            Supplier<AuthBackend> loader = r != null
                    ? backends(secrets, r::store, bc, sn, salts)
                    : server != null ? backends(secrets, () -> DirectReads.open(server, poolSize, poolWait,
                            queryTimeout(poolWait)), bc, sn, salts)
                    : backends(secrets, sp, bc, sn, salts, rehash);
            daemon = AuthDaemon.start(config, limiter, loader);
            if (r != null) {
                daemon.context().replica(r::status);
            }
        } catch (StoreException e) {
            err.println("sasldb-authd: " + StoreAdvice.message(e));
            closeQuietly(rehashQueue);
            closeQuietly(replica);
            return 1;
        } catch (IOException e) {
            err.println("sasldb-authd: " + e.getMessage());
            closeQuietly(rehashQueue);
            closeQuietly(replica);
            return 1;
        } catch (RuntimeException e) {
            err.println("sasldb-authd: cannot start: " + e);
            closeQuietly(rehashQueue);
            closeQuietly(replica);
            return 1;
        }
        if (metrics != null) {
            try {
                daemon.serveMetrics(metrics);
            } catch (IOException e) {
                err.println("sasldb-authd: " + e.getMessage());
                daemon.close();
                closeQuietly(replica);
                return 1;
            }
        }
        if (!salts.persistent()) {
            AuthLog.LOGGER.warning("no --salt-key (and no " + INSTALLED_STATE_DIRECTORY + " of this user): SCRAM"
                    + " salts of users without stored keys change at this restart, which tells a client who has"
                    + " stored keys");
        }
        String rule = realmRule;
        String served = replicaOf != null ? "replica " + storePath + " of " + StoreAddress.redacted(replicaOf)
                : server != null ? StoreAddress.redacted(server) + " directly (at most " + poolSize + " connections,"
                        + " waiting at most " + Throttle.human(poolWait) + ")"
                : storePath.toString();
        AuthLog.LOGGER.info(() -> "serving " + served + " (" + rule + "; mechanisms "
                + String.join(" ", config.settings().mechanisms().stream().map(Mechanism::name).toList()) + "; "
                + throttleLine(config.throttle())
                + (rehashTarget == null ? "" : "; rehashing at login to " + rehashTarget) + ")");
        PidFile pid = null;
        try {
            if (pidFile != null) {
                pid = PidFile.write(pidFile);
            }
        } catch (IOException e) {
            err.println("sasldb-authd: " + e.getMessage());
            daemon.close();
            closeQuietly(rehashQueue);
            closeQuietly(replica);
            return 1;
        }
        Signals.install(daemon::reload, stop::countDown);
        notifyReady();
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        AuthLog.LOGGER.info("shutting down");
        daemon.close();
        closeQuietly(replica);
        closeQuietly(rehashQueue);
        if (rehashAudit != null) {
            rehashAudit.close();
        }
        closeQuietly(pid);
        return 0;
    }

    /**
     * The stand-in policy {@code --secrets} names; for {@code auto} a placeholder that {@link
     * #backends} replaces with the store's majority at each open.
     *
     * @throws IllegalArgumentException for another value
     */
    static SecretSet policyOf(String secrets) {
        return switch (secrets) {
            case SECRETS_AUTO, "plaintext" -> SecretSet.PLAINTEXT;
            case "hashed" -> SecretSet.HASHED;
            default -> throw new IllegalArgumentException("--secrets must be auto, hashed or plaintext");
        };
    }

    /**
     * What opens the store, at start and at each reload: with {@code --secrets auto} it first
     * counts what the store's users hold ({@link SecretCensus}) and gives the unknown users'
     * stand-in the majority's secrets, logging the choice; otherwise the given policy.
     */
    static Supplier<AuthBackend> backends(String secrets, Path store, BridgeConfig config, String serverName,
            ScramSaltKey salts) {
        return backends(secrets, store, config, serverName, salts, null);
    }

    /** As {@link #backends(String, Path, BridgeConfig, String, ScramSaltKey)}, re-hashing at login when {@code rehash} is given. */
    static Supplier<AuthBackend> backends(String secrets, Path store, BridgeConfig config, String serverName,
            ScramSaltKey salts, LoginRehash rehash) {
        if (!SECRETS_AUTO.equals(secrets)) {
            return () -> BridgeBackend.open(store, config, serverName, salts, rehash);
        }
        return () -> {
            SecretCensus census;
            try (CredentialStore s = CredentialStore.open(store, StoreOptions.readOnly())) {
                census = SecretCensus.of(s, SecretSet.PLAINTEXT);
            }
            AuthLog.LOGGER.info(() -> "stand-in for unknown users: " + census.describe());
            return BridgeBackend.open(store, config.withPolicy(census.policy()), serverName, salts, rehash);
        };
    }

    /**
     * What opens the backend over a store the daemon opens itself (a replica, or the database read
     * directly), at start and at each reload: as {@link #backends(String, Path, BridgeConfig,
     * String, ScramSaltKey)}, the stand-in chosen by counting the store's users with {@code --secrets auto}.
     */
    static Supplier<AuthBackend> backends(String secrets, Supplier<CredentialStore> stores, BridgeConfig config,
            String serverName, ScramSaltKey salts) {
        return () -> {
            CredentialStore s = stores.get();
            try {
                BridgeConfig c = config;
                if (SECRETS_AUTO.equals(secrets)) {
                    SecretCensus census = SecretCensus.of(s, SecretSet.PLAINTEXT);
                    AuthLog.LOGGER.info(() -> "stand-in for unknown users: " + census.describe());
                    c = config.withPolicy(census.policy());
                }
                return BridgeBackend.over(s, c, serverName, salts);
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
        };
    }

    /**
     * Refuses what cannot work with a PostgreSQL store ({@code --replica-of NAME}, or {@code -f}
     * naming one): a password on the command line (others can read argv), {@code --replica-of}
     * without a replica file or naming a file, re-hashing at login, an empty pool.
     *
     * @return one line saying what to change, or null
     */
    private String checkServer(String server) {
        if (replicaOf != null) {
            if (!StoreAddress.isServer(replicaOf)) {
                return "--replica-of " + replicaOf + ": not a PostgreSQL store; give postgresql://HOST/DB or"
                        + " service=NAME";
            }
            if (store == null || store.isEmpty() || StoreAddress.isServer(store)) {
                return "--replica-of needs -f FILE: the local LMDB replica the daemon serves and keeps up to date";
            }
        }
        if (server == null) {
            return null;
        }
        String option = replicaOf != null ? "--replica-of" : "-f";
        CommandLine.ParseResult parsed = spec == null ? null : spec.commandLine().getParseResult();
        boolean onCommandLine = parsed == null || parsed.hasMatchedOption(replicaOf != null ? "--replica-of" : "--store");
        if (onCommandLine && StoreAddress.hasPassword(server)) {
            return option + " " + StoreAddress.redacted(server) + ": a password on the command line is refused (others"
                    + " can read it); put it in ~/.pgpass or the file PGPASSFILE names (docs/replica.md)";
        }
        if (rehashOnLogin) {
            return "--rehash-on-login works on a store file only; with a PostgreSQL store, re-hash with saslpasswd"
                    + " on the database";
        }
        if (poolSize < 1) {
            return "--pool-size must be at least 1";
        }
        return null;
    }

    /**
     * How long a login reading the database directly waits for a new connection and for each
     * answer: {@code --pool-wait}, but at least 3 s (a connection's TLS and SCRAM exchange on a
     * busy server); a login thus gets its temporary failure within {@code --pool-wait} plus this.
     */
    static Duration queryTimeout(Duration poolWait) {
        Duration floor = Duration.ofSeconds(3);
        return poolWait.compareTo(floor) > 0 ? poolWait : floor;
    }

    private static void closeQuietly(Replica r) {
        if (r != null) {
            r.close();
        }
    }

    /**
     * The audit trail's {@code rehashed} records (syslog, {@code $SASLDB4J_AUDIT_LOG}), as
     * {@code saslpasswd} records its changes; closed when the daemon stops.
     */
    private LoginRehash.RehashListener rehashAudit(Path store) {
        AuditTrail audit = AuditTrail.open(AuditSettings.fromEnvironment(env::getenv, "sasldb-authd",
                CyrusTexts.sasldb4jVersion(), null), env::getenv, m -> AuthLog.LOGGER.warning(m));
        rehashAudit = audit;
        return (user, before, after) -> audit.record(store, Change.REHASHED, user,
                after.schemes().stream().map(SecretScheme::name).toList());
    }

    /** The throttle as configured, for the start-up line. */
    static String throttleLine(ThrottleSettings t) {
        return !t.enabled() ? "throttle off"
                : "throttle " + Throttle.human(t.delay()) + " doubling to " + Throttle.human(t.maxDelay())
                        + ", forgotten after " + Throttle.human(t.forgetAfter());
    }

    /** The {@code --throttle*} options, checked (one line naming the option otherwise). */
    ThrottleSettings throttleSettings() {
        boolean on = switch (throttle.toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new IllegalArgumentException("--throttle must be on or off, not '" + throttle + "'");
        };
        return new ThrottleSettings(on, throttleDelay, throttleMaxDelay, throttleEntries, throttleForget);
    }

    /**
     * {@code --check-config} with {@code --rehash-on-login}: the store opens read-write (and
     * closes) as a start would open it.
     */
    private static void checkWritable(Path storePath) {
        try (CredentialStore s = CredentialStore.open(storePath,
                new StoreOptions(StoreOptions.Access.READ_WRITE, Backend.LMDB, true))) {
            s.path(); // opened: writable
        } catch (UnsafePermissionsException | StoreNotFoundException e) {
            throw e; // said as the read-only open says it
        } catch (StoreException e) {
            throw new StoreException("--rehash-on-login needs write access to " + storePath + " and its lock file: "
                    + e.getMessage() + " (docs/postfix.md, \"Upgrading hashes as users log in\")", e);
        }
    }

    /** Every socket listens now: tell systemd ({@code Type=notify}) if it asked. */
    private void notifyReady() {
        SystemdNotify.ready(env.getenv("NOTIFY_SOCKET"));
    }

    private static void closeQuietly(RehashQueue q) {
        if (q != null) {
            q.close();
        }
    }

    private static void closeQuietly(PidFile pid) {
        if (pid != null) {
            pid.close();
        }
    }

    /** {@code salt-key} in systemd's state directory ({@code StateDirectory=}), or null. */
    private Path defaultSaltKey() {
        return defaultSaltKey(env.getenv("STATE_DIRECTORY"), INSTALLED_STATE_DIRECTORY);
    }

    /** The daemon's state directory as the package makes it (0700 sasldb4j:sasldb4j). */
    static final Path INSTALLED_STATE_DIRECTORY = Path.of("/var/lib/sasldb4j");

    /**
     * Where the salt key is without {@code --salt-key}: in systemd's {@code $STATE_DIRECTORY};
     * else in {@code installed} if it is a safe directory of ours (not a link, owned by this user,
     * writable by no one else), or if the key is already there (e.g. root starting the daemon by
     * hand reads the key the service made, and never makes one the service could not read); else
     * none (a new key at each start, with a warning).
     */
    static Path defaultSaltKey(String stateDirectory, Path installed) {
        if (stateDirectory != null && !stateDirectory.isEmpty()) {
            // systemd lists several directories separated by ':' when several are configured.
            return Path.of(stateDirectory.split(":")[0]).resolve("salt-key");
        }
        Path key = installed.resolve("salt-key");
        try {
            java.nio.file.attribute.PosixFileAttributes a = java.nio.file.Files.readAttributes(installed,
                    java.nio.file.attribute.PosixFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            boolean othersWrite = a.permissions().contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                    || a.permissions().contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
            if (!a.isDirectory() || othersWrite) {
                return null;
            }
            if (java.nio.file.Files.exists(key, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return key; // read with the usual checks: a link or a wide mode stops the start
            }
            int owner = (Integer) java.nio.file.Files.getAttribute(installed, "unix:uid",
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return owner == org.sasldb4j.store.ThisProcess.euid() ? key : null;
        } catch (IOException | UnsupportedOperationException | ClassCastException e) {
            return null;
        }
    }
}
