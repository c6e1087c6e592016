package org.sasldb4j.docs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sasldb4j.auxprop.daemon.AuthdCommand;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.migration.SasldbconvertCommand;
import org.sasldb4j.sasldblistusers.SasldblistusersCommand;
import org.sasldb4j.saslpasswd.SaslpasswdCommand;
import picocli.CommandLine;

/**
 * The man pages of every command, generated from the commands' own picocli models. Run {@link
 * #main} (or the docs test with {@code -Dsasldb4j.updateManPages=true}) after changing an option;
 * the test fails while a committed page differs from what the model gives.
 */
public final class ManPages {
    /** Printed in the pages' footer; change it when the pages are regenerated for a release. */
    public static final LocalDate DATE = LocalDate.of(2026, 11, 21);

    private ManPages() {}

    /** File name ({@code saslpasswd.8}) to page text. */
    public static Map<String, String> render() {
        CliEnvironment env = CliEnvironment.builder()
                .stdin(new java.io.ByteArrayInputStream(new byte[0]))
                .stdout(new ByteArrayOutputStream())
                .stderr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .hostname("localhost")
                .build();
        Map<String, String> pages = new LinkedHashMap<>();
        page(pages, SaslpasswdCommand.commandLine(env), "create, change, lock and delete SASL users", List.of(
                new String[] {ManPage.EXIT_STATUS,
                    "1, 7 and 20 are the values Cyrus saslpasswd2 returns (the negated result of the failing SASL"
                            + " call), so scripts written for saslpasswd2 keep working. --help and -v exit 0."},
                new String[] {"Environment",
                    "SASL_DBNAME: the store when neither -f nor sasldb_path in <appname>.conf is given.",
                    "SASLDB4J_DEFAULT_REALM: the realm of ids without @ when neither -u nor --default-realm is given.",
                    "SASL_CONF_PATH: colon-separated directories searched for <appname>.conf.",
                    AUDIT_LOG_ENV, SYSLOG_ENV, CHANGE_TIMES_ENV, PG_ENV,
                    "SASLDB4J_DEBUG=1: print the stack trace of an error."},
                new String[] {ManPage.FILES, STORE, LOCK, DEV_LOG,
                    "/etc/sasl2/saslpasswd.conf: sasldb_path: the store, when -f is not given (another"
                            + " <appname>.conf with -a).",
                    CACHE, "/usr/share/doc/sasldb4j/saslpasswd.md: the batch format and the differences from Cyrus."},
                seeAlso("saslpasswd", "saslpasswd2(8)")));
        page(pages, SasldblistusersCommand.commandLine(env), "list the users of a sasldb store", List.of(
                new String[] {ManPage.EXIT_STATUS,
                    "Cyrus sasldblistusers2 exits 0 even when it cannot read the store; this one exits 1, so a"
                            + " script can tell \"no users\" from \"no store\". --help and -v exit 0."},
                new String[] {"Environment", "SASL_DBNAME, SASL_CONF_PATH, SASLDB4J_DEBUG, and the PG* variables"
                        + " of a PostgreSQL store: as for saslpasswd(8)."},
                new String[] {ManPage.FILES, STORE, LOCK,
                    "/etc/sasl2/sasldblistusers.conf: sasldb_path: the store, when neither -f nor the argument"
                            + " is given.",
                    CACHE, "/usr/share/doc/sasldb4j/sasldblistusers.md: the JSON format and the differences from"
                            + " Cyrus."},
                seeAlso("sasldblistusers", "sasldblistusers2(8)")));
        page(pages, SasldbconvertCommand.commandLine(env), "move a Cyrus sasldb2 into a sasldb4j store", List.of(
                new String[] {ManPage.EXIT_STATUS,
                    "A status other than 0 and 2 means TARGET was not written (or, with --merge, not changed)."
                            + " --help and --version exit 0."},
                new String[] {"Environment", AUDIT_LOG_ENV, SYSLOG_ENV, PG_ENV},
                new String[] {ManPage.FILES,
                    "/etc/sasldb2: Debian's Cyrus store (Berkeley DB), the usual SOURCE; after the move, the"
                            + " sasldb4j store with its lock file /etc/sasldb2-lock.",
                    DEV_LOG,
                    CACHE, "/usr/share/doc/sasldb4j/migration.md: moving /etc/sasldb2 step by step without"
                            + " interrupting Postfix."},
                new String[] {"Examples", "sasldbconvert /etc/sasldb2 /etc/sasldb2.lmdb",
                    "sasldbconvert /etc/sasldb2 postgresql://sasldb4j@db.example.org/mail",
                    "gdbm_dump /etc/sasl2/sasldb2 dump && sasldbconvert dump /etc/sasl2/sasldb2.lmdb"},
                seeAlso("sasldbconvert", "db5.3_dump(1), gdbm_dump(1)")));
        page(pages, AuthdCommand.commandLine(env), "serve a sasldb4j store to Postfix and saslauthd clients", List.of(
                new String[] {ManPage.EXIT_STATUS,
                    "--check-config exits 0 after printing 'sasldb-authd: configuration OK', and 1 with one line"
                            + " on stderr naming the problem (the configuration file, an option, the store, a socket"
                            + " directory, the pid file, the salt key); it binds no socket and writes no file."
                            + " An unknown option exits 1 with one line and 'try sasldb-authd --help'; --help and"
                            + " --version exit 0. Under systemd, a status other than 0 restarts the service"
                            + " (Restart=on-failure)."},
                new String[] {ManPage.FILES,
                    "/etc/sasldb4j/sasldb-authd.conf: the configuration file, read at start if it exists (another"
                            + " with --config FILE); one 'option = value' per line, the long options without --;"
                            + " command-line options override it.",
                    "/usr/share/doc/sasldb4j/examples/sasldb-authd.conf: a commented example naming every option.",
                    "/lib/systemd/system/sasldb-authd.service: the systemd unit; not enabled on install: set the"
                            + " realm and the secrets first, then systemctl enable --now sasldb-authd.",
                    "/usr/share/doc/sasldb4j/examples/sasldb-authd-rehash.conf: the unit drop-in --rehash-on-login"
                            + " needs (install it as /etc/systemd/system/sasldb-authd.service.d/rehash.conf): it"
                            + " lets the sandboxed daemon write the store; the daemon's user needs write access to"
                            + " the store and its lock file (root:sasl 0660).",
                    "/var/spool/postfix/sasldb4j/auth: the Dovecot socket of the recommended set-up"
                            + " (dovecot-socket in the configuration file; mode 0660, group postfix), in a directory"
                            + " 0750 sasldb4j:postfix that the package makes inside Postfix's chroot; Postfix finds"
                            + " it with smtpd_sasl_path = sasldb4j/auth.",
                    STORE, LOCK,
                    "/var/lib/sasldb4j/salt-key: the SCRAM salt key the unit keeps across restarts"
                            + " ($STATE_DIRECTORY/salt-key; another with --salt-key).",
                    CACHE, "/usr/share/doc/sasldb4j/postfix.md: setting up Postfix, the unit and an auth outage."},
                new String[] {"Signals", "SIGHUP reopens the store (the old one stays in use if that fails);"
                        + " SIGTERM removes the sockets and exits 0."},
                seeAlso("sasldb-authd", "postconf(5) smtpd_sasl_type, testsaslauthd(8), systemctl(1)")));
        return pages;
    }

    private static final String STORE =
            "/etc/sasldb2: the default store (LMDB or SQLite), root:sasl 0640 or 0660.";
    private static final String AUDIT_LOG_ENV = "SASLDB4J_AUDIT_LOG: the JSON-lines audit log when --audit-log is"
            + " not given.";
    private static final String SYSLOG_ENV = "SASLDB4J_SYSLOG_SOCKET: the syslog socket audit records are sent to"
            + " instead of /dev/log; empty or 'none': no syslog. A named socket that takes no record is a warning.";
    private static final String CHANGE_TIMES_ENV = "SASLDB4J_CHANGE_TIMES=1: also store each account's change time"
            + " in the store (property sasldb4j.changed; off by default, as Cyrus's store has no such record).";
    private static final String DEV_LOG = "/dev/log: the local syslog socket; every change is sent there (facility"
            + " authpriv, the tool's name as tag) when it exists, and silently not when it does not. See"
            + " docs/guide.md, \"Audit trail\".";
    private static final String LOCK = "/etc/sasldb2-lock: the LMDB lock file beside the store, made at first use.";
    private static final String CACHE = "/var/cache/sasldb4j: the launchers' start-up class-data archive, made"
            + " when the package is installed ($SASLDB4J_CACHE_DIR overrides; the tools run without it).";
    private static final String PG_ENV = "PGHOST, PGPORT, PGUSER, PGDATABASE, PGSERVICEFILE, PGSYSCONFDIR, PGSSLMODE,"
            + " PGSSLROOTCERT, PGCONNECT_TIMEOUT, PGPASSFILE, PGPASSWORD: fill in what a PostgreSQL store address"
            + " (postgresql://... or service=NAME) leaves out, as for libpq; a password is never accepted in an"
            + " address on the command line: it comes from ~/.pgpass (mode 0600), the file PGPASSFILE names, or"
            + " PGPASSWORD. See /usr/share/doc/sasldb4j/postgresql.md.";
    private static final List<String> TOOLS = List.of("saslpasswd", "sasldblistusers", "sasldbconvert", "sasldb-authd");

    /** SEE ALSO: the other three tools in section 8, then {@code others}. */
    private static String[] seeAlso(String self, String others) {
        StringBuilder s = new StringBuilder();
        for (String tool : TOOLS) {
            if (!tool.equals(self)) {
                s.append(tool).append('(').append(ManPage.SECTION).append("), ");
            }
        }
        return new String[] {"See also", s.append(others).append('.').toString()};
    }

    private static void page(Map<String, String> pages, CommandLine cmd, String summary, List<String[]> extra) {
        pages.put(cmd.getCommandName() + "." + ManPage.SECTION, ManPage.render(cmd, summary, DATE, extra));
    }

    /** Writes every page into the directory given (default {@code docs/man}). */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "docs/man");
        Files.createDirectories(dir);
        for (Map.Entry<String, String> p : render().entrySet()) {
            Files.writeString(dir.resolve(p.getKey()), p.getValue(), StandardCharsets.UTF_8);
        }
    }
}
