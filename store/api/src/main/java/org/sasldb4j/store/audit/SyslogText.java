package org.sasldb4j.store.audit;

/** {@code key=value} text for syslog lines, safe for any value (one line, no ambiguity). */
final class SyslogText {
    private SyslogText() {}

    /** Appends {@code key=value} (separated from what precedes by a space), quoting as needed. */
    static void pair(StringBuilder b, String key, String value) {
        if (b.length() > 0) {
            b.append(' ');
        }
        b.append(key).append('=');
        String v = value == null ? "" : value;
        if (!v.isEmpty() && v.chars().allMatch(SyslogText::plain)) {
            b.append(v);
            return;
        }
        b.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                b.append(c > 0xff ? String.format("\\u%04x", (int) c) : String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }

    private static boolean plain(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "._@/:,+-".indexOf(c) >= 0;
    }
}
