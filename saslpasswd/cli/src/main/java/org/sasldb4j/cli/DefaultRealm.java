package org.sasldb4j.cli;

import org.sasldb4j.store.UserId;

/**
 * The realm for a user id without {@code @}. saslpasswd2 takes the lowercased
 * {@code gethostname()}, which SASL servers may not use (they use the DNS name, or Postfix's
 * {@code myhostname}: defect D6, docs/reference/cyrus-sasldb.md §14), so sasldb4j lets it be
 * chosen and says when the host name was used.
 *
 * <p>Order: {@code -u DOM} (if not empty, as Cyrus), {@code --default-realm R} (may be empty: the
 * empty realm), the {@code SASLDB4J_DEFAULT_REALM} environment variable, the host name.
 */
public final class DefaultRealm {
    /** Environment variable setting the default realm. */
    public static final String ENV = "SASLDB4J_DEFAULT_REALM";

    /** The realm and whether it came from the host name (then the tool says so). */
    public record Choice(String realm, boolean fromHostname, String origin) {}

    private DefaultRealm() {}

    public static Choice choose(String userDomain, String defaultRealmOption, CliEnvironment env) {
        if (userDomain != null && !userDomain.isEmpty()) {
            return new Choice(userDomain, false, "-u");
        }
        if (defaultRealmOption != null) {
            return new Choice(defaultRealmOption, false, "--default-realm");
        }
        String e = env.getenv(ENV);
        if (e != null) {
            return new Choice(e, false, ENV);
        }
        return new Choice(UserId.realmOfHost(env.hostname()), true, "host name");
    }
}
