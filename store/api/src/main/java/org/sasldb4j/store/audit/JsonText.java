package org.sasldb4j.store.audit;

/** JSON text for audit records: strings escaped so that a record is always one line. */
final class JsonText {
    private JsonText() {}

    /** Appends {@code ,"name":value} (value: null, a string, a number or a boolean). */
    static void field(StringBuilder b, String name, Object value) {
        if (b.length() > 1) {
            b.append(',');
        }
        string(b, name).append(':');
        if (value == null) {
            b.append("null");
        } else if (value instanceof Number || value instanceof Boolean) {
            b.append(value);
        } else {
            string(b, value.toString());
        }
    }

    /** Appends {@code s} as a JSON string; control characters, quotes and backslashes escaped. */
    static StringBuilder string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)
                            && !validPair(s, i)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }

    /** True if {@code s[i]} is half of a well-formed surrogate pair. */
    private static boolean validPair(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
