package org.sasldb4j.store.postgresql;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.plugin.AuthenticationPlugin;
import org.postgresql.plugin.AuthenticationRequestType;

/**
 * Hands a password to pgjdbc as a char array, only when the server asks for one.
 *
 * <p>pgjdbc (docs/reference/libpq.md §6.2) takes a password either as a String connection
 * property (immutable, never wiped) or from an {@link AuthenticationPlugin} named by class,
 * which it instantiates with the connection's properties and whose result it wipes after use. {@link PgConnector#connect} parks the password
 * here under a random token, names this class and the token in the properties, and withdraws it
 * when the connection attempt ends.
 *
 * <p>Public only because pgjdbc instantiates it by reflection; nothing else should use it.
 *
 * <p><b>Security:</b> the token is random and one-use; a password is held only during one
 * connection attempt and wiped when withdrawn.
 */
public final class PasswordHandoff implements AuthenticationPlugin {
    /** The connection property that carries the token. */
    static final String TOKEN_PROPERTY = "sasldb4j.passwordToken";
    private static final Map<String, char[]> PARKED = new ConcurrentHashMap<>();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String token;

    /** For pgjdbc: called with the connection's properties. */
    public PasswordHandoff(Properties info) {
        this.token = info.getProperty(TOKEN_PROPERTY);
    }

    /** A copy of the parked password (pgjdbc wipes it), or null: pgjdbc then says none was provided. */
    @Override
    public char[] getPassword(AuthenticationRequestType type) {
        char[] pw = token == null ? null : PARKED.get(token);
        return pw == null ? null : pw.clone();
    }

    /** Parks a copy of {@code password} and returns its token. */
    static String park(char[] password) {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        String token = HexFormat.of().formatHex(b);
        PARKED.put(token, password.clone());
        return token;
    }

    /** Removes and wipes the password parked under {@code token}. */
    static void withdraw(String token) {
        if (token != null) {
            char[] pw = PARKED.remove(token);
            if (pw != null) {
                Arrays.fill(pw, '\0');
            }
        }
    }
}
