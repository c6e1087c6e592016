package org.sasldb4j.store.postgresql;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.postgresql.Driver;
import org.sasldb4j.store.StoreAddress;
import org.sasldb4j.store.StoreException;

/**
 * How to reach a PostgreSQL store, resolved the way libpq resolves a connection, so that a name
 * that works with {@code psql} works here (docs/postgresql.md; the libpq facts relied on are in
 * docs/reference/libpq.md §1 to §6):
 *
 * <ul>
 *   <li>the name: a URI {@code postgresql://[user@]host[:port][/dbname][?key=value&...]} or a
 *       keyword/value string starting {@code service=NAME};
 *   <li>gaps filled in libpq's order: the name itself, then the service's section of
 *       {@code pg_service.conf} (also for {@code ?service=} or {@code PGSERVICE}), then
 *       {@code PGHOST PGPORT PGDATABASE PGUSER PGSSLMODE PGSSLROOTCERT PGSSLCERT PGSSLKEY
 *       PGCONNECT_TIMEOUT PGAPPNAME}, then defaults: host {@code localhost} (pgjdbc speaks TCP only,
 *       where libpq's default is the Unix socket), port 5432, the login name as user, the user as
 *       database, {@code sslmode=prefer}, a 10 s connect timeout;
 *   <li>the password: from the name (embedders only: the tools refuse one on their command line),
 *       else {@code PGPASSWORD}, else the password file ({@code passfile=}, {@code PGPASSFILE},
 *       {@code ~/.pgpass}), ignored with a warning when its group or others may access it;
 *   <li>TLS: {@code sslmode} (disable, allow, prefer, require, verify-ca, verify-full),
 *       {@code sslrootcert}, {@code sslcert}, {@code sslkey}, handed to pgjdbc, which follows libpq's
 *       meanings. Use {@code verify-full} with a CA file to be safe from a man in the middle.
 * </ul>
 *
 * <p>An immutable value, safe to share. {@link #connect} opens a new connection each time.
 *
 * <p><b>Security:</b> a password never appears in {@link #displayName}, {@link #toString} or any
 * exception message. It is held as a char array and reaches pgjdbc through {@link PasswordHandoff}
 * only when the server asks for it, never as a String property.
 */
public final class PgConnector {
    static final int DEFAULT_PORT = 5432;
    static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
    static final String DEFAULT_SSLMODE = "prefer";
    static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    private static final Driver DRIVER = new Driver();
    private static final System.Logger LOG = System.getLogger(PgConnector.class.getName());

    /** Where the password came from, for messages when authentication fails. */
    enum PasswordSource { ADDRESS, SERVICE_FILE, ENVIRONMENT, PASSFILE, NONE }

    private final String address;
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final char[] password;
    private final PasswordSource passwordSource;
    private final Path passfile;
    private final String sslmode;
    private final String sslrootcert;
    private final String sslcert;
    private final String sslkey;
    private final int connectTimeoutSeconds;
    private final String applicationName;
    private final Function<String, String> getenv;
    private final Consumer<String> warnings;

    private PgConnector(String address, Map<String, String> given, Map<String, String> service,
            Function<String, String> getenv, Path home, Consumer<String> warnings) {
        this.address = address;
        this.getenv = getenv;
        this.warnings = warnings;
        this.host = setting("host", "PGHOST", "localhost", given, service);
        if (host.startsWith("/")) {
            throw ConnInfo.bad(address, "a Unix-domain socket directory as host is not supported (sasldb4j connects"
                    + " over TCP): name a host, e.g. localhost");
        }
        if (host.indexOf(',') >= 0) {
            throw ConnInfo.bad(address, "several hosts are not supported: name one host");
        }
        String portText = setting("port", "PGPORT", Integer.toString(DEFAULT_PORT), given, service);
        this.port = number(portText, "port", 1, 65535);
        this.user = setting("user", "PGUSER", System.getProperty("user.name"), given, service);
        this.database = setting("dbname", "PGDATABASE", user, given, service);
        String sm = setting("sslmode", "PGSSLMODE", DEFAULT_SSLMODE, given, service);
        if (!SSL_MODES.contains(sm)) {
            throw ConnInfo.bad(address, "invalid sslmode '" + sm + "' (one of disable, allow, prefer, require,"
                    + " verify-ca, verify-full)");
        }
        this.sslmode = sm;
        this.sslrootcert = setting("sslrootcert", "PGSSLROOTCERT", null, given, service);
        this.sslcert = setting("sslcert", "PGSSLCERT", null, given, service);
        this.sslkey = setting("sslkey", "PGSSLKEY", null, given, service);
        String timeout = setting("connect_timeout", "PGCONNECT_TIMEOUT",
                Integer.toString(DEFAULT_CONNECT_TIMEOUT_SECONDS), given, service);
        // libpq: 0 or negative means wait indefinitely; pgjdbc's 0 means the same.
        int t = number(timeout, "connect_timeout", Integer.MIN_VALUE, Integer.MAX_VALUE);
        this.connectTimeoutSeconds = Math.max(t, 0);
        this.applicationName = setting("application_name", "PGAPPNAME", "sasldb4j", given, service);
        String pf = setting("passfile", "PGPASSFILE", null, given, service);
        this.passfile = pf != null && !pf.isEmpty() ? Path.of(pf) : home.resolve(".pgpass");
        if (given.containsKey("password")) {
            this.password = given.get("password").toCharArray();
            this.passwordSource = PasswordSource.ADDRESS;
        } else if (service.containsKey("password")) {
            this.password = service.get("password").toCharArray();
            this.passwordSource = PasswordSource.SERVICE_FILE;
        } else {
            this.password = null;
            this.passwordSource = null; // decided at connect time: PGPASSWORD or the file may change
        }
    }

    /**
     * Resolves {@code address} with this process's environment, home directory and login name.
     * Warnings (an unsafe password file) go to the {@link System.Logger} of this class.
     *
     * @throws StoreException if the address is malformed or names an unknown service
     */
    public static PgConnector of(String address) {
        return of(address, System::getenv, Path.of(System.getProperty("user.home")),
                w -> LOG.log(System.Logger.Level.WARNING, w));
    }

    /**
     * {@link #of(String)} with warnings (one line each, never a secret: e.g. an unsafe password
     * file ignored) sent to {@code warnings}, for a command that prints its own diagnostics.
     */
    public static PgConnector of(String address, Consumer<String> warnings) {
        return of(address, System::getenv, Path.of(System.getProperty("user.home")), warnings);
    }

    /** {@link #of(String)} with the environment, home directory and warning sink given (tests, embedders). */
    static PgConnector of(String address, Function<String, String> getenv, Path home, Consumer<String> warnings) {
        if (!StoreAddress.isServer(address)) {
            throw new StoreException(address + " is not a PostgreSQL address (postgresql://... or service=NAME)");
        }
        Map<String, String> given = ConnInfo.parse(address);
        String serviceName = given.containsKey("service") ? given.get("service") : getenv.apply("PGSERVICE");
        Map<String, String> service = serviceName == null || serviceName.isEmpty() ? Map.of()
                : PgServiceFile.lookup(serviceName, address, getenv, home);
        return new PgConnector(address, given, service, getenv, home, warnings);
    }

    private String setting(String key, String env, String dflt, Map<String, String> given, Map<String, String> service) {
        String v = given.get(key);
        if (v == null) {
            v = service.get(key);
        }
        if (v == null || v.isEmpty()) {
            String e = env == null ? null : getenv.apply(env);
            if (e != null && !e.isEmpty()) {
                v = e;
            }
        }
        return v == null || v.isEmpty() ? dflt : v;
    }

    private int number(String text, String what, int min, int max) {
        try {
            int n = Integer.parseInt(text.strip());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            // The text itself is not shown: in a malformed URI it may be part of a password.
            throw ConnInfo.bad(address, "invalid " + what + " (a whole number"
                    + (min > 0 ? " from " + min + " to " + max : "") + ")");
        }
    }

    /**
     * Opens a connection: autocommit off, {@code application_name} sasldb4j (unless named),
     * {@code plan_cache_mode=force_custom_plan} (every statement is planned for its values: key
     * lookups always reach the primary key), the connect timeout applied to the TCP connect and
     * to the whole login.
     *
     * @throws StoreException with one line saying what failed: the server unreachable,
     *     authentication failed (and where the password came from), the database missing, TLS
     *     verification failed
     */
    public Connection connect() {
        PasswordSource[] source = new PasswordSource[1];
        char[] pw = password(source);
        String token = pw == null ? null : PasswordHandoff.park(pw);
        if (pw != null) {
            Arrays.fill(pw, '\0');
        }
        try {
            Connection c = DRIVER.connect(jdbcUrl(), properties(token));
            if (c == null) {
                throw new StoreException(displayName() + ": the PostgreSQL driver refused the address");
            }
            try {
                c.setAutoCommit(false);
            } catch (SQLException e) {
                closeQuietly(c);
                throw e;
            }
            return c;
        } catch (SQLException e) {
            throw PgErrors.connecting(this, e, source[0]);
        } finally {
            PasswordHandoff.withdraw(token);
        }
    }

    /** The password to offer, and where it came from; null with {@link PasswordSource#NONE}. */
    char[] password(PasswordSource[] source) {
        if (password != null) {
            source[0] = passwordSource;
            return password.clone();
        }
        String env = getenv.apply("PGPASSWORD");
        if (env != null && !env.isEmpty()) {
            source[0] = PasswordSource.ENVIRONMENT;
            return env.toCharArray();
        }
        char[] fromFile = PgPassFile.lookup(passfile, host, Integer.toString(port), database, user, warnings);
        source[0] = fromFile == null ? PasswordSource.NONE : PasswordSource.PASSFILE;
        return fromFile;
    }

    private String jdbcUrl() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8);
    }

    private Properties properties(String token) {
        Properties p = new Properties();
        p.setProperty("user", user);
        // An empty password property keeps pgjdbc from reading ~/.pgpass itself (it does not
        // check the file's permissions: docs/reference/libpq.md §6.2); the real one comes from
        // the plugin, only if asked.
        p.setProperty("password", "");
        p.setProperty("authenticationPluginClassName", PasswordHandoff.class.getName());
        if (token != null) {
            p.setProperty(PasswordHandoff.TOKEN_PROPERTY, token);
        }
        p.setProperty("sslmode", sslmode);
        if (sslrootcert != null) {
            p.setProperty("sslrootcert", sslrootcert);
        }
        if (sslcert != null) {
            p.setProperty("sslcert", sslcert);
        }
        if (sslkey != null) {
            p.setProperty("sslkey", sslkey);
        }
        p.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds));
        p.setProperty("loginTimeout", Integer.toString(connectTimeoutSeconds));
        p.setProperty("ApplicationName", applicationName);
        p.setProperty("options", "-c plan_cache_mode=force_custom_plan");
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("reWriteBatchedInserts", "true");
        return p;
    }

    /**
     * The store as messages show it: {@code postgresql://user@host:port/dbname}, with
     * {@code ?sslmode=} when it is not the default. Never a password.
     */
    public String displayName() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        String s = "postgresql://" + enc(user) + "@" + h + ":" + port + "/" + enc(database);
        return sslmode.equals(DEFAULT_SSLMODE) ? s : s + "?sslmode=" + sslmode;
    }

    /** The address as given, its password replaced (see {@link StoreAddress#redacted}). */
    public String redactedAddress() {
        return StoreAddress.redacted(address);
    }

    /** Both names when they differ: what the user typed and what it resolved to. */
    String describe() {
        String r = redactedAddress();
        String d = displayName();
        return r.equals(d) ? d : r + " (" + d + ")";
    }

    /** {@link #displayName()}. */
    @Override
    public String toString() {
        return displayName();
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    String database() {
        return database;
    }

    String user() {
        return user;
    }

    String sslmode() {
        return sslmode;
    }

    String sslrootcert() {
        return sslrootcert;
    }

    String sslcert() {
        return sslcert;
    }

    String sslkey() {
        return sslkey;
    }

    int connectTimeoutSeconds() {
        return connectTimeoutSeconds;
    }

    String applicationName() {
        return applicationName;
    }

    Path passfile() {
        return passfile;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // Already failing; the server ends the session when the socket closes.
        }
    }
}
