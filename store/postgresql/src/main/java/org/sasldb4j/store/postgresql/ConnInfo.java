package org.sasldb4j.store.postgresql;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreAddress;

/**
 * The two ways libpq names a connection, parsed into libpq keywords (docs/reference/libpq.md §1):
 * a URI {@code postgresql://[user[:password]@][host][:port][/dbname][?k=v&...]} and a
 * keyword/value string {@code service=NAME [key=value ...]}.
 *
 * <p>Only the keywords sasldb4j passes on are accepted; libpq also refuses what it does not know,
 * so a typo is an error rather than a silently different connection.
 */
final class ConnInfo {
    /** The libpq keywords sasldb4j understands (service is resolved, password handled apart). */
    static final Set<String> KEYWORDS = Set.of("host", "port", "dbname", "user", "password", "passfile",
            "connect_timeout", "sslmode", "sslrootcert", "sslcert", "sslkey", "application_name", "service");

    private ConnInfo() {}

    /**
     * The keywords of {@code address}, in the order given.
     *
     * @throws StoreException naming the problem (never showing a password)
     */
    static Map<String, String> parse(String address) {
        String a = address.strip();
        String lower = a.toLowerCase(Locale.ROOT);
        if (lower.startsWith("postgresql://")) {
            return uri(a, "postgresql://".length());
        }
        if (lower.startsWith("postgres://")) {
            return uri(a, "postgres://".length());
        }
        return keywords(a);
    }

    private static Map<String, String> uri(String a, int start) {
        Map<String, String> out = new LinkedHashMap<>();
        String rest = a.substring(start);
        int query = rest.indexOf('?');
        String params = query < 0 ? null : rest.substring(query + 1);
        String main = query < 0 ? rest : rest.substring(0, query);
        int slash = main.indexOf('/');
        String authority = slash < 0 ? main : main.substring(0, slash);
        String db = slash < 0 ? null : main.substring(slash + 1);
        // The user info ends at the last '@' of the authority (libpq: the first '@' before '/' or
        // '?'; an '@' inside a user or password must be written %40, so both agree).
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userinfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userinfo.indexOf(':');
            String user = colon < 0 ? userinfo : userinfo.substring(0, colon);
            if (!user.isEmpty()) {
                out.put("user", decode(user, "user name", a));
            }
            if (colon >= 0) {
                out.put("password", decode(userinfo.substring(colon + 1), "password", a));
            }
        }
        if (authority.indexOf(',') >= 0) {
            throw bad(a, "several hosts are not supported: name one host (a load balancer or a DNS name for failover)");
        }
        String host = authority;
        String port = null;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                throw bad(a, "missing ']' after the IPv6 address");
            }
            String after = host.substring(close + 1);
            host = host.substring(1, close);
            if (after.startsWith(":")) {
                port = after.substring(1);
            } else if (!after.isEmpty()) {
                throw bad(a, "unexpected text after the IPv6 address");
            }
        } else {
            int colon = host.lastIndexOf(':');
            if (colon >= 0) {
                port = host.substring(colon + 1);
                host = host.substring(0, colon);
            }
        }
        if (!host.isEmpty()) {
            out.put("host", decode(host, "host", a));
        }
        if (port != null && !port.isEmpty()) {
            out.put("port", decode(port, "port", a));
        }
        if (db != null && !db.isEmpty()) {
            out.put("dbname", decode(db, "database name", a));
        }
        if (params != null && !params.isEmpty()) {
            for (String kv : params.split("&", -1)) {
                if (kv.isEmpty()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                if (eq < 0) {
                    throw bad(a, "a URI parameter has no '=' (write key=value)");
                }
                String key = decode(kv.substring(0, eq), "parameter name", a);
                String value = decode(kv.substring(eq + 1), "parameter value", a);
                if (key.equals("ssl") && value.equals("true")) {
                    // libpq's compatibility with JDBC URIs.
                    key = "sslmode";
                    value = "require";
                }
                put(out, key, value, a);
            }
        }
        return out;
    }

    /** libpq's keyword/value form: {@code key=value} separated by spaces, values optionally in single quotes. */
    private static Map<String, String> keywords(String a) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = a.length();
        while (true) {
            while (i < n && Character.isWhitespace(a.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            int keyStart = i;
            while (i < n && a.charAt(i) != '=' && !Character.isWhitespace(a.charAt(i))) {
                i++;
            }
            String key = a.substring(keyStart, i);
            while (i < n && Character.isWhitespace(a.charAt(i))) {
                i++;
            }
            if (i >= n || a.charAt(i) != '=') {
                throw bad(a, "missing '=' after '" + key + "'");
            }
            i++;
            while (i < n && Character.isWhitespace(a.charAt(i))) {
                i++;
            }
            StringBuilder v = new StringBuilder();
            if (i < n && a.charAt(i) == '\'') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = a.charAt(i++);
                    if (c == '\\' && i < n) {
                        v.append(a.charAt(i++));
                    } else if (c == '\'') {
                        closed = true;
                        break;
                    } else {
                        v.append(c);
                    }
                }
                if (!closed) {
                    throw bad(a, "unterminated quoted value of '" + key + "'");
                }
            } else {
                while (i < n && !Character.isWhitespace(a.charAt(i))) {
                    char c = a.charAt(i++);
                    if (c == '\\' && i < n) {
                        c = a.charAt(i++);
                    }
                    v.append(c);
                }
            }
            put(out, key, v.toString(), a);
        }
    }

    private static void put(Map<String, String> out, String key, String value, String a) {
        if (!KEYWORDS.contains(key)) {
            throw bad(a, "unknown connection parameter '" + shown(key) + "' (sasldb4j understands "
                    + String.join(", ", new java.util.TreeSet<>(KEYWORDS)) + ")");
        }
        out.put(key, value);
    }

    /** Percent-decoding as libpq does it: every %XX must be valid, %00 is refused, the result UTF-8. */
    private static String decode(String s, String what, String a) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                byte[] u = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                b.write(u, 0, u.length);
                continue;
            }
            if (i + 2 >= s.length()) {
                throw bad(a, "invalid percent-encoding in the " + what);
            }
            int hi = Character.digit(s.charAt(i + 1), 16);
            int lo = Character.digit(s.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) {
                throw bad(a, "invalid percent-encoding in the " + what);
            }
            int v = hi << 4 | lo;
            if (v == 0) {
                throw bad(a, "forbidden %00 in the " + what);
            }
            b.write(v);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw bad(a, "the " + what + " is not valid UTF-8 after percent-decoding");
        }
    }

    /** Text from the address for a message: cut short, so that a mistyped password parameter shows little. */
    private static String shown(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    static StoreException bad(String address, String problem) {
        return new StoreException(StoreAddress.redacted(address) + ": " + problem);
    }
}
