package org.sasldb4j.auxprop.daemon;

import java.nio.charset.StandardCharsets;

/**
 * Reads the login name out of a client's SASL messages, for the log line of a failed attempt
 * (a {@link javax.security.sasl.SaslServer} only names the user on success), and tells which
 * message carries a password, so that only that step queues for the hashing budget.
 *
 * <p><b>Security:</b> takes only the name field; the password bytes are never copied.
 */
final class LoginSniffer {
    private final String mechanism;
    private int messages;
    private String login;

    LoginSniffer(String mechanism) {
        this.mechanism = mechanism;
    }

    /**
     * Looks at the next client message (before it goes to the mechanism).
     *
     * @return true if this message carries a plaintext password to verify
     */
    boolean observe(byte[] message) {
        if (message.length == 0) {
            return false;
        }
        int n = messages++;
        switch (mechanism) {
            case "PLAIN" -> {
                // authzid NUL authcid NUL password
                int a = indexOf(message, 0, 0);
                int b = a < 0 ? -1 : indexOf(message, 0, a + 1);
                if (b > a) {
                    login = text(message, a + 1, b);
                }
                return true;
            }
            case "LOGIN" -> {
                if (login == null) {
                    login = text(message, 0, message.length);
                    return false;
                }
                return true;
            }
            case "CRAM-MD5" -> {
                // user SP hex-digest
                int sp = lastIndexOf(message, (byte) ' ');
                if (sp > 0) {
                    login = text(message, 0, sp);
                }
                return false;
            }
            default -> {
                if (mechanism.startsWith("SCRAM-") && n == 0) {
                    login = scramUser(message);
                } else if (mechanism.equals("DIGEST-MD5") && login == null) {
                    login = digestUser(message);
                }
                return false;
            }
        }
    }

    /** The login seen so far, or null. */
    String login() {
        return login;
    }

    /** {@code n=} of a SCRAM client-first message, with {@code =2C}/{@code =3D} decoded. */
    private static String scramUser(byte[] m) {
        String s = new String(m, StandardCharsets.UTF_8);
        int i = s.indexOf(",n=");
        if (i < 0) {
            return null;
        }
        int end = s.indexOf(',', i + 3);
        String u = s.substring(i + 3, end < 0 ? s.length() : end);
        return u.replace("=2C", ",").replace("=3D", "=");
    }

    /** {@code username="..."} of a DIGEST-MD5 response (RFC 2831 §2.1.2), {@code \\x} unquoted; else null. */
    private static String digestUser(byte[] m) {
        String s = new String(m, StandardCharsets.UTF_8);
        int i = s.startsWith("username=\"") ? 0 : s.indexOf(",username=\"");
        if (i < 0) {
            return null;
        }
        StringBuilder u = new StringBuilder();
        for (int k = s.indexOf('"', i) + 1; k < s.length() && u.length() < 256; k++) {
            char c = s.charAt(k);
            if (c == '"') {
                return u.toString();
            }
            if (c == '\\' && k + 1 < s.length()) {
                c = s.charAt(++k);
            }
            u.append(c);
        }
        return null;
    }

    private static String text(byte[] m, int from, int to) {
        int len = Math.min(to - from, 256);
        return new String(m, from, Math.max(0, len), StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] m, int b, int from) {
        for (int i = from; i < m.length; i++) {
            if (m[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] m, byte b) {
        for (int i = m.length - 1; i >= 0; i--) {
            if (m[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
