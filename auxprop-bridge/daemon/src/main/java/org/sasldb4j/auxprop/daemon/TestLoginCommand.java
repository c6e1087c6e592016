package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.DefaultRealm;
import org.sasldb4j.cli.InvalidPasswordException;
import org.sasldb4j.cli.PasswordConsole;
import org.sasldb4j.cli.PasswordInput;
import org.sasldb4j.cli.PasswordSourceOptions;
import org.sasldb4j.cli.PicocliSetup;
import org.sasldb4j.cli.StorePaths;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.secret.SecretSet;
import org.sasldb4j.store.secret.Wipe;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sasldb-authd test-login}: does a login work? Asks the running daemon through its
 * Dovecot socket exactly as Postfix does, or checks the store itself without a daemon, as
 * Dovecot's {@code doveadm auth test} does. The password is prompted for with echo off or read
 * from a file or descriptor, never taken from the command line.
 *
 * <p>Security: the password is held as bytes and wiped when the login is done; it is never
 * printed. Store mode opens the store read-only and tells a wrong password from a disabled
 * account (the administrator may read the store anyway); the socket mode learns only what
 * Postfix learns.
 */
@Command(name = TestLoginCommand.NAME, sortOptions = false,
        customSynopsis = {"sasldb-authd test-login [--socket PATH | -f sasldb] [-m MECHANISM]",
            "             [--password-file FILE | --password-fd N] [OPTION]... USER"},
        description = {
            "Tests whether USER can log in, as Dovecot's doveadm auth test does: through the running"
                    + " daemon's Dovecot socket exactly as Postfix asks (--socket; the default is dovecot-socket"
                    + " from the configuration file), or against the store itself without a daemon (-f), which"
                    + " also says which stored secret served the login or why it failed. Through the socket the"
                    + " daemon answers only OK or FAIL, as it answers Postfix: the reason is in its log.",
            "The password is asked for on the terminal with echo off, or read with --password-file or"
                    + " --password-fd; never give it on the command line. --mechanism runs the whole exchange a"
                    + " mail client would (CRAM-MD5, DIGEST-MD5, SCRAM), checking the server's proof for SCRAM."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:the login works",
            "1:the login was refused (wrong password, unknown user, disabled account, no secret for the mechanism)",
            "64:usage error (EX_USAGE): an unknown option, no password source, neither --socket nor -f known",
            "69:the daemon's socket or the store cannot be reached (EX_UNAVAILABLE)",
            "75:temporary failure (EX_TEMPFAIL): the daemon closed the connection (Postfix: 454) or the store"
                    + " could not be read"})
public final class TestLoginCommand implements Callable<Integer> {
    /** The subcommand's name. */
    public static final String NAME = "test-login";
    static final int EX_USAGE = 64;

    @Parameters(paramLabel = "USER", arity = "1",
            description = "The login name as a mail client sends it: alice (the default realm applies) or"
                    + " alice@example.org.")
    String user;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "Ask the running daemon through this Dovecot socket (its --dovecot-socket).")
    Path socket;

    @Option(names = {"-f", "--store"}, paramLabel = "sasldb",
            description = "Check against this store directly, read-only, without a daemon: a file, or a"
                    + " PostgreSQL store (postgresql://... or service=NAME; its password from ~/.pgpass,"
                    + " PGPASSFILE or PGPASSWORD, never in the address).")
    String store;

    @Option(names = {"-m", "--mechanism"}, paramLabel = "MECHANISM",
            description = "PLAIN (default), LOGIN, CRAM-MD5, DIGEST-MD5, SCRAM-SHA-1 or SCRAM-SHA-256.")
    String mechanism = "PLAIN";

    @Option(names = "--remote-ip", paramLabel = "ADDRESS",
            description = "The client address the daemon is told (rip=), as Postfix tells it (default: 127.0.0.1).")
    String remoteIp = "127.0.0.1";

    @Option(names = "--service", paramLabel = "NAME",
            description = "The SASL service (service=; default: smtp, Postfix's smtpd_sasl_service).")
    String service = "smtp";

    @Option(names = "--realm", paramLabel = "REALM",
            description = "With -f: the realm of names without @ (default: realm from the configuration file,"
                    + " $SASLDB4J_DEFAULT_REALM, else the host name, as the daemon chooses it).")
    String realm;

    @Option(names = "--config", paramLabel = "FILE",
            description = "The daemon's configuration file, for its dovecot-socket and realm (default:"
                    + " /etc/sasldb4j/sasldb-authd.conf if it exists).")
    Path config;

    @Mixin
    PasswordSourceOptions passwordSource = new PasswordSourceOptions();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    private final CliEnvironment env;
    private final Path defaultConfig;

    TestLoginCommand(CliEnvironment env, Path defaultConfig) {
        this.env = env;
        this.defaultConfig = defaultConfig;
    }

    /**
     * The subcommand's command line: exit statuses of its own ({@link LoginVerdict.Outcome},
     * 64 for usage), one line and no stack trace for any error.
     */
    static CommandLine commandLine(CliEnvironment env, Path defaultConfig) {
        CommandLine cl = new CommandLine(new TestLoginCommand(env, defaultConfig));
        PrintStream err = env.stderr();
        cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(env.stdout(), StandardCharsets.UTF_8), true));
        PicocliSetup.spaceInHelp(cl);
        cl.setParameterExceptionHandler((e, args) -> usageError(err, PicocliSetup.oneLine(e)));
        cl.setExecutionExceptionHandler((e, c, parsed) -> {
            err.println("sasldb-authd test-login: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return LoginVerdict.Outcome.UNAVAILABLE.exitCode();
        });
        cl.setExitCodeExceptionMapper(t -> LoginVerdict.Outcome.UNAVAILABLE.exitCode());
        return cl;
    }

    static int usageError(PrintStream err, String message) {
        err.println("sasldb-authd test-login: " + message + "; try sasldb-authd test-login --help");
        return EX_USAGE;
    }

    @Override
    public Integer call() {
        PrintStream err = env.stderr();
        String mech = mechanism.toUpperCase(Locale.ROOT);
        if (!LoginClient.MECHANISMS.contains(mech)) {
            return usageError(err, "unknown mechanism '" + mechanism + "'; known: "
                    + String.join(" ", LoginClient.MECHANISMS));
        }
        if (socket != null && store != null) {
            return usageError(err, "give --socket (ask the daemon) or -f (check the store), not both");
        }
        if (passwordSource.conflicting()) {
            return usageError(err, "give --password-file or --password-fd, not both");
        }
        String onArgv = StorePaths.passwordOnCommandLine(store);
        if (onArgv != null) {
            return usageError(err, onArgv);
        }
        Map<String, String> file;
        String fileProblem = null;
        try {
            file = readConfig();
        } catch (IllegalArgumentException e) {
            file = Map.of();
            fileProblem = e.getMessage();
        }
        Path via = socket;
        if (via == null && store == null) {
            String configured = file.get("--dovecot-socket");
            if (configured == null) {
                return usageError(err, (fileProblem != null ? fileProblem : "the configuration file names no"
                        + " dovecot-socket") + "; give --socket PATH (the daemon's --dovecot-socket) or -f sasldb");
            }
            via = Path.of(configured);
        }
        if (!passwordSource.isSet() && env.console() == null) {
            return usageError(err, "no terminal to ask for the password on; give --password-file FILE or"
                    + " --password-fd N (never the password itself)");
        }
        byte[] password;
        try {
            password = readPassword();
        } catch (InvalidPasswordException | IOException e) {
            return usageError(err, "cannot read the password: " + e.getMessage().replace(". Nothing was written", ""));
        }
        LoginVerdict verdict;
        String where;
        try (LoginClient client = LoginClient.create(mech, user, password, realmChoice(file).realm())) {
            if (via != null) {
                where = via + " (Dovecot socket, as Postfix asks)";
                verdict = SocketLogin.run(via, client, service, remoteIp, SocketLogin.TIMEOUT);
            } else {
                DefaultRealm.Choice choice = realmChoice(file);
                StorePaths.Resolved resolved = StorePaths.resolve(store, "sasldb-authd", env);
                where = resolved.display() + (resolved.isServer() ? " (PostgreSQL store, read-only)"
                        : " (store, read-only)");
                BridgeConfig bc = AuthdCommand.bridgeConfig(choice, SecretSet.HASHED);
                verdict = StoreLogin.run(resolved, bc, choice.realm(), client);
            }
        } catch (IllegalArgumentException | StoreException e) {
            return usageError(err, e.getMessage());
        } finally {
            Wipe.bytes(password);
        }
        return report(verdict, mech, where);
    }

    private int report(LoginVerdict v, String mech, String where) {
        if (v.outcome() == LoginVerdict.Outcome.UNAVAILABLE) {
            env.stderr().println("sasldb-authd test-login: " + v.reason());
            return v.outcome().exitCode();
        }
        StringBuilder out = new StringBuilder();
        out.append("login: ").append(switch (v.outcome()) {
            case OK -> "ok";
            case REFUSED -> "refused";
            default -> "temporary failure";
        }).append('\n');
        out.append("user: ").append(AuthLog.safe(v.user())).append('\n');
        out.append("mechanism: ").append(mech).append('\n');
        out.append("via: ").append(where).append('\n');
        if (!v.secrets().isEmpty()) {
            out.append("secret: ").append(String.join(", ", v.secrets())).append('\n');
        }
        if (v.reason() != null) {
            out.append("reason: ").append(v.reason()).append('\n');
        }
        try {
            env.stdout().write(out.toString().getBytes(StandardCharsets.UTF_8));
            env.stdout().flush();
        } catch (IOException e) {
            env.stderr().println("sasldb-authd test-login: cannot write the result: " + e.getMessage());
        }
        return v.outcome().exitCode();
    }

    /** The password's bytes (the caller wipes them), from the option given or the terminal. */
    private byte[] readPassword() throws IOException, InvalidPasswordException {
        if (passwordSource.isSet()) {
            return passwordSource.read(env);
        }
        PasswordConsole console = env.console();
        char[] typed = console.readPassword("Password: ");
        if (typed == null) {
            console.newline();
            throw new InvalidPasswordException("end of input before a password was typed");
        }
        return PasswordInput.fromChars(typed, console.charset(), "the terminal");
    }

    /** The daemon's configuration file's options (long names), or none; a broken file only matters if needed. */
    private Map<String, String> readConfig() {
        Path file = config != null ? config : defaultConfig;
        return ConfigFile.read(file, config != null, () -> AuthdCommand.commandLine(env)).values();
    }

    /** The daemon's realm rule: --realm, else the file's realm, else the environment or host name. */
    private DefaultRealm.Choice realmChoice(Map<String, String> file) {
        String r = realm != null ? realm : file.get("--realm");
        return DefaultRealm.choose(null, r, env);
    }
}
