package org.sasldb4j.store.postgresql;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import javax.net.ssl.SSLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.sasldb4j.store.StoreException;

/**
 * One line for the user from a PostgreSQL failure, chosen by SQLState (docs/postgresql.md §3;
 * the codes: docs/reference/libpq.md §7). Server messages are quoted (they never contain a
 * password: the server does not echo one), pgjdbc's own only for states not recognised here,
 * first line only, no stack trace.
 */
final class PgErrors {
    private PgErrors() {}

    /** A failure to connect, from {@link PgConnector#connect}. */
    static StoreException connecting(PgConnector c, SQLException e, PgConnector.PasswordSource source) {
        return new StoreException(c.describe() + ": " + connectReason(c, e, source), e);
    }

    static String connectReason(PgConnector c, SQLException e, PgConnector.PasswordSource source) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String where = c.host() + ":" + c.port();
        Throwable tls = cause(e, SSLException.class);
        if (tls != null || isTlsMessage(e)) {
            return "TLS failed: " + tlsReason(e, tls) + " (sslmode=" + c.sslmode()
                    + (c.sslrootcert() == null ? "" : ", sslrootcert=" + c.sslrootcert()) + ")";
        }
        if (cause(e, UnknownHostException.class) != null) {
            return "server unreachable: unknown host " + c.host();
        }
        if (cause(e, ConnectException.class) != null) {
            return "server unreachable: connection to " + where + " refused; is PostgreSQL running and listening there?";
        }
        if (cause(e, NoRouteToHostException.class) != null) {
            return "server unreachable: no route to " + c.host();
        }
        if (cause(e, SocketTimeoutException.class) != null || isTimeout(e)) {
            return "server unreachable: no answer from " + where + " within " + c.connectTimeoutSeconds()
                    + " s (connect_timeout)";
        }
        switch (state) {
            case "28P01":
                return "authentication failed for user \"" + c.user() + "\"" + passwordHint(c, source);
            case "28000":
                return "the server refused the connection: " + serverMessage(e) + passwordHint(c, source);
            case "08004":
                if (source == PgConnector.PasswordSource.NONE) {
                    return "authentication failed: the server asks for a password and none was found"
                            + passwordHint(c, source);
                }
                return "the server refused the connection: " + firstLine(e);
            case "3D000":
                return "database \"" + c.database() + "\" does not exist (create it, e.g. createdb -O " + c.user()
                        + " " + c.database() + "; see docs/postgresql.md)";
            case "57P03":
                return "the server is starting up or shutting down; try again in a moment";
            case "53300":
                return "the server has no free connection slots (max_connections)";
            default:
                if (state.startsWith("08")) {
                    return "server unreachable: " + firstLine(e);
                }
                return "cannot connect: " + firstLine(e);
        }
    }

    private static String passwordHint(PgConnector c, PgConnector.PasswordSource source) {
        if (source == null) {
            return "";
        }
        return switch (source) {
            case ADDRESS -> " (password from the address)";
            case SERVICE_FILE -> " (password from the service file)";
            case ENVIRONMENT -> " (password from PGPASSWORD)";
            case PASSFILE -> " (password from " + c.passfile() + ")";
            case NONE -> " (no password: set PGPASSWORD or add a line " + c.host() + ":" + c.port() + ":"
                    + c.database() + ":" + c.user() + ":PASSWORD to " + c.passfile() + ", mode 0600)";
        };
    }

    private static String tlsReason(SQLException e, Throwable tls) {
        String all = messages(e);
        if (all.contains("PKIX path") || all.contains("unable to find valid certification path")) {
            return "the server's certificate is not signed by a trusted CA (check sslrootcert)";
        }
        if (all.contains("could not be verified by hostnameverifier") || all.contains("No subject alternative")) {
            return "the server's certificate does not name this host (sslmode=verify-full checks the host name)";
        }
        if (all.contains("does not support SSL")) {
            return "the server does not support TLS";
        }
        if (all.contains("Could not open SSL root certificate file") || all.contains("root certificate file")) {
            return "cannot read the CA file: " + firstLine(e);
        }
        return firstLine(e);
    }

    private static boolean isTlsMessage(SQLException e) {
        String m = messages(e);
        return m.contains("SSL") || m.contains("hostnameverifier") || m.contains("certificate");
    }

    private static boolean isTimeout(SQLException e) {
        String m = messages(e);
        return m.contains("timed out") || m.contains("timeout");
    }

    /** True for failures a later attempt may not have: the connection lost, the server away. */
    static boolean isConnectionLoss(SQLException e) {
        String s = e.getSQLState();
        return s == null || s.startsWith("08") || s.equals("57P01") || s.equals("57P02") || s.equals("57P03");
    }

    /** True when the transaction may simply be run again: a serialization failure or a deadlock. */
    static boolean isRetryable(SQLException e) {
        String s = e.getSQLState();
        return "40001".equals(s) || "40P01".equals(s);
    }

    /** A failure of a statement on an open connection. */
    static StoreException failure(String what, String name, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String reason = switch (state) {
            case "42501" -> serverMessage(e) + " (grants: see docs/postgresql.md)";
            case "25006" -> "the server is read-only (a standby?): " + serverMessage(e);
            case "57014" -> "the statement was cancelled (statement_timeout?)";
            default -> isConnectionLoss(e) ? "lost the connection to the server: " + firstLine(e) : firstLine(e);
        };
        // The cause keeps the SQLState (callers retry on it) but not the driver's text, whose
        // detail lines may quote a failing row, values included.
        return new StoreException(what + " " + name + ": " + reason, sanitized(e));
    }

    /** The first line and SQLState of {@code e}, nothing else. */
    static SQLException sanitized(SQLException e) {
        return new SQLException(firstLine(e), e.getSQLState(), e.getErrorCode());
    }

    /** The SQLException in a failure's causes (as {@link #failure} made it), or null. */
    static SQLException sqlCause(Throwable t) {
        return cause(t, SQLException.class);
    }

    /** The server's own message when there is one (it never contains a password), else pgjdbc's first line. */
    static String serverMessage(SQLException e) {
        if (e instanceof PSQLException p) {
            ServerErrorMessage m = p.getServerErrorMessage();
            if (m != null && m.getMessage() != null) {
                return m.getMessage();
            }
        }
        return firstLine(e);
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).strip();
    }

    private static String messages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null) {
                b.append(t.getMessage()).append('\n');
            }
        }
        return b.toString();
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
