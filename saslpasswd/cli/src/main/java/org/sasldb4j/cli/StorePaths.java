package org.sasldb4j.cli;

import java.nio.file.Path;
import java.util.Optional;
import org.sasldb4j.store.StoreAddress;

/**
 * Where the store is. Every tool uses the same rule (Cyrus's sasldblistusers2 ignores its config
 * file: defect D9, docs/reference/cyrus-sasldb.md §14; the Cyrus rules are §3 there):
 *
 * <ol>
 *   <li>the {@code -f} option;
 *   <li>{@code sasldb_path:} in {@code <confdir>/<appname>.conf} (as libsasl; an empty value
 *       counts as unset);
 *   <li>the {@code SASL_DBNAME} environment variable (Cyrus's master branch; its config option
 *       wins over the variable there too);
 *   <li>{@code /etc/sasldb2}.
 * </ol>
 *
 * <p>Any of the first three may name a PostgreSQL server instead of a file
 * ({@code postgresql://…} or {@code service=NAME}, see {@link StoreAddress}); the default is
 * always the file. A server address is never turned into a {@link Path}: no file check applies
 * to it (docs/postgresql.md).
 *
 * <p><b>Security:</b> messages name the store with {@link Resolved#display()}, which hides any
 * password; {@link #passwordOnCommandLine} refuses a password given in a URI on the command line.
 */
public final class StorePaths {
    /** Cyrus's compile-time default on Debian and upstream. */
    public static final Path DEFAULT = Path.of("/etc/sasldb2");
    /** The environment variable naming the store (Cyrus master). */
    public static final String DBNAME_ENV = "SASL_DBNAME";
    /** The config-file option naming the store. */
    public static final String CONFIG_KEY = "sasldb_path";
    /** Where {@link #resolve} says a name came from when it came from the command line. */
    public static final String COMMAND_LINE = "-f";

    /**
     * The chosen store and where it came from (for messages).
     *
     * @param name the store as the user wrote it: a file path or a server address (may hold a
     *     password: show {@link #display()} instead)
     * @param origin {@code -f}, the config file, {@code SASL_DBNAME} or {@code default}
     */
    public record Resolved(String name, String origin) {
        /** True if the store is on a database server, not in a file. */
        public boolean isServer() {
            return StoreAddress.isServer(name);
        }

        /**
         * The store file.
         *
         * @throws IllegalStateException for a server address, which has no file
         */
        public Path path() {
            if (isServer()) {
                throw new IllegalStateException("a store on a database server has no file path");
            }
            return Path.of(name);
        }

        /** The name as messages show it: a server address without its password. */
        public String display() {
            return StoreAddress.redacted(name);
        }

        /** Redacted, so that a record printed by mistake shows no password. */
        @Override
        public String toString() {
            return "Resolved[" + display() + " from " + origin + "]";
        }
    }

    private StorePaths() {}

    /**
     * Resolves the store.
     *
     * @param option the {@code -f} value (or the tool's store operand), or null
     * @param appname the application name whose config file may name the store
     */
    public static Resolved resolve(String option, String appname, CliEnvironment env) {
        if (option != null && !option.isEmpty()) {
            return new Resolved(option, COMMAND_LINE);
        }
        Optional<Path> conf = SaslConfig.find(env, appname);
        if (conf.isPresent()) {
            Optional<String> v = SaslConfig.lookup(conf.get(), CONFIG_KEY);
            if (v.isPresent()) {
                return new Resolved(v.get(), CONFIG_KEY + " in " + conf.get());
            }
        }
        String fromEnv = env.getenv(DBNAME_ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return new Resolved(fromEnv, DBNAME_ENV);
        }
        return new Resolved(DEFAULT.toString(), "default");
    }

    /**
     * The one-line refusal of a store name given on the command line that carries a password
     * ({@code postgresql://user:secret@host/db}, or {@code ?password=}): every user of the machine
     * can read a process's arguments. Null if the name is acceptable.
     */
    public static String passwordOnCommandLine(String name) {
        if (name == null || !StoreAddress.hasPassword(name)) {
            return null;
        }
        return "refusing a password in the store address " + StoreAddress.redacted(name)
                + ": others can read the command line. Give the address without it and put the password in"
                + " ~/.pgpass (or the file PGPASSFILE names, mode 0600) or in PGPASSWORD";
    }
}
