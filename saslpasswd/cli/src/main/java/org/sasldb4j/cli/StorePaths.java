package org.sasldb4j.cli;

import java.nio.file.Path;
import java.util.Optional;

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
 */
public final class StorePaths {
    /** Cyrus's compile-time default on Debian and upstream. */
    public static final Path DEFAULT = Path.of("/etc/sasldb2");
    /** The environment variable naming the store (Cyrus master). */
    public static final String DBNAME_ENV = "SASL_DBNAME";
    /** The config-file option naming the store. */
    public static final String CONFIG_KEY = "sasldb_path";

    /** The chosen path and where it came from (for messages). */
    public record Resolved(Path path, String origin) {}

    private StorePaths() {}

    /**
     * Resolves the store path.
     *
     * @param option the {@code -f} value, or null
     * @param appname the application name whose config file may name the store
     */
    public static Resolved resolve(String option, String appname, CliEnvironment env) {
        if (option != null && !option.isEmpty()) {
            return new Resolved(Path.of(option), "-f");
        }
        Optional<Path> conf = SaslConfig.find(env, appname);
        if (conf.isPresent()) {
            Optional<String> v = SaslConfig.lookup(conf.get(), CONFIG_KEY);
            if (v.isPresent()) {
                return new Resolved(Path.of(v.get()), CONFIG_KEY + " in " + conf.get());
            }
        }
        String fromEnv = env.getenv(DBNAME_ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return new Resolved(Path.of(fromEnv), DBNAME_ENV);
        }
        return new Resolved(DEFAULT, "default");
    }
}
