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

    /** File name ({@code saslpasswd.1}) to page text. */
    public static Map<String, String> render() {
        CliEnvironment env = CliEnvironment.builder()
                .stdin(new java.io.ByteArrayInputStream(new byte[0]))
                .stdout(new ByteArrayOutputStream())
                .stderr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .hostname("localhost")
                .build();
        Map<String, String> pages = new LinkedHashMap<>();
        page(pages, SaslpasswdCommand.commandLine(env), "create, change, lock and delete SASL users", List.of(
                new String[] {"Environment",
                    "SASL_DBNAME: the store when neither -f nor sasldb_path in <appname>.conf is given.",
                    "SASLDB4J_DEFAULT_REALM: the realm of ids without @ when neither -u nor --default-realm is given.",
                    "SASL_CONF_PATH: colon-separated directories searched for <appname>.conf.",
                    "SASLDB4J_DEBUG=1: print the stack trace of an error."},
                new String[] {"Files", "/etc/sasldb2 (default store) and /etc/sasldb2-lock (its LMDB lock file)."},
                new String[] {"See also", "sasldblistusers(1), sasldbconvert(1), saslpasswd2(8)."}));
        page(pages, SasldblistusersCommand.commandLine(env), "list the users of a sasldb store", List.of(
                new String[] {"Environment", "SASL_DBNAME, SASL_CONF_PATH, SASLDB4J_DEBUG: as for saslpasswd(1)."},
                new String[] {"See also", "saslpasswd(1), sasldblistusers2(8)."}));
        page(pages, SasldbconvertCommand.commandLine(env), "move a Cyrus sasldb2 into a sasldb4j store", List.of(
                new String[] {"Examples", "sasldbconvert /etc/sasldb2 /etc/sasldb2.lmdb",
                    "gdbm_dump /etc/sasl2/sasldb2 dump && sasldbconvert dump /etc/sasl2/sasldb2.lmdb"},
                new String[] {"See also", "saslpasswd(1), sasldblistusers(1), db5.3_dump(1), gdbm_dump(1)."}));
        page(pages, AuthdCommand.commandLine(env), "serve a sasldb4j store to Postfix and saslauthd clients", List.of(
                new String[] {"Files",
                    "/etc/sasldb4j/sasldb-authd.conf: the configuration file, read at start if it exists (another"
                            + " with --config FILE); one 'option = value' per line, the long options without --;"
                            + " command-line options override it. docs/sasldb-authd.conf is a commented example"
                            + " naming every option.",
                    "docs/sasldb-authd.service: a systemd unit.",
                    "The Dovecot socket usually lives inside Postfix's queue directory, e.g."
                            + " /var/spool/postfix/private/auth, mode 0660, group postfix."},
                new String[] {"Signals", "SIGHUP reopens the store (the old one stays in use if that fails);"
                        + " SIGTERM removes the sockets and exits 0."},
                new String[] {"See also", "saslpasswd(1), postconf(5) smtpd_sasl_type, testsaslauthd(8)."}));
        return pages;
    }

    private static void page(Map<String, String> pages, CommandLine cmd, String summary, List<String[]> extra) {
        pages.put(cmd.getCommandName() + ".1", ManPage.render(cmd, summary, DATE, extra));
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
