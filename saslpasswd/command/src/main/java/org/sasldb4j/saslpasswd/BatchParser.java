package org.sasldb4j.saslpasswd;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sasldb4j.cli.PasswordInput;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.HexDigits;
import org.sasldb4j.store.Reachability;
import org.sasldb4j.store.secret.SecretProperties;

/**
 * Parses and checks a whole batch before anything is written. The format (docs/saslpasswd.md):
 *
 * <pre>
 * # comment; empty lines are ignored
 * add USER PASSWORD          the password is the rest of the line: any byte but LF and NUL
 * del USER                   deletes every record of the user
 * add-hex USERHEX PASSWORDHEX   both fields hex-encoded: any bytes (CR at the end, spaces in ids)
 * del-hex USERHEX
 * </pre>
 *
 * <p>Fields are separated by one space. USER is {@code name} or {@code name@realm}, split at the
 * first {@code @} like the command line. Scanning works on the raw bytes, without regular
 * expressions or per-line strings: a batch of 200,000 users parses in milliseconds.
 */
final class BatchParser {
    /** Errors listed before the rest are only counted. */
    static final int MAX_LISTED_ERRORS = 20;

    private static final byte[] ADD = ascii("add");
    private static final byte[] DEL = ascii("del");
    private static final byte[] ADD_HEX = ascii("add-hex");
    private static final byte[] DEL_HEX = ascii("del-hex");

    /** The parsed batch. Errors name the file and line and say what to do. */
    record Result(List<BatchOp> ops, List<String> errors, int errorCount, boolean usesDefaultRealm) {}

    private final String source;
    private final int defaultRealmLength;
    private final List<String> errors = new ArrayList<>();
    private int errorCount;

    /**
     * @param source the file name for messages ({@code stdin} for {@code -})
     * @param defaultRealm the realm of ids without {@code @} (its length limits key sizes)
     */
    BatchParser(String source, byte[] defaultRealm) {
        this.source = source;
        this.defaultRealmLength = defaultRealm.length;
    }

    Result parse(byte[] data) {
        return parse(data, 1);
    }

    /**
     * Parses one window of whole lines ({@link BatchWindows}); errors and their count accumulate
     * over the windows given to this parser.
     *
     * @param firstLine the line number of the window's first line
     */
    Result parse(byte[] data, int firstLine) {
        List<BatchOp> ops = new ArrayList<>();
        boolean usesDefault = false;
        int pos = 0;
        int line = firstLine - 1;
        while (pos < data.length) {
            line++;
            int end = pos;
            while (end < data.length && data[end] != '\n') {
                end++;
            }
            BatchOp op = parseLine(data, pos, end, line);
            if (op != null) {
                ops.add(op);
                usesDefault |= op.at() < 0;
            }
            pos = end + 1;
        }
        return new Result(ops, errors, errorCount, usesDefault);
    }

    private BatchOp parseLine(byte[] d, int from, int to, int line) {
        if (from == to || d[from] == '#') {
            return null;
        }
        if (to - from == 1 && d[from] == 0) {
            return error(line, "the line is longer than " + BatchWindows.MAX_LINE_BYTES + " bytes (or is a lone NUL);"
                    + " no valid line is that long");
        }
        if (d[to - 1] == '\r') {
            return error(line, "the line ends with CR (a Windows line end?). Convert the file with dos2unix;"
                    + " a password that really ends in CR can be written with add-hex");
        }
        int sp1 = indexOf(d, from, to, (byte) ' ');
        int cmdEnd = sp1 < 0 ? to : sp1;
        boolean hex;
        boolean delete;
        if (equals(d, from, cmdEnd, ADD)) {
            hex = false;
            delete = false;
        } else if (equals(d, from, cmdEnd, DEL)) {
            hex = false;
            delete = true;
        } else if (equals(d, from, cmdEnd, ADD_HEX)) {
            hex = true;
            delete = false;
        } else if (equals(d, from, cmdEnd, DEL_HEX)) {
            hex = true;
            delete = true;
        } else {
            // The word is not echoed: a line with a missing command may start with a password.
            return error(line, "unknown command; a line is 'add USER PASSWORD', 'del USER',"
                    + " 'add-hex USERHEX PASSWORDHEX', 'del-hex USERHEX', a # comment or empty");
        }
        String cmd = new String(d, from, cmdEnd - from, StandardCharsets.US_ASCII);
        if (sp1 < 0 || sp1 + 1 == to || d[sp1 + 1] == ' ') {
            return error(line, "'" + cmd + "' needs a user id after one space: " + syntax(cmd));
        }
        int userFrom = sp1 + 1;
        int sp2 = indexOf(d, userFrom, to, (byte) ' ');
        int userTo = sp2 < 0 ? to : sp2;
        byte[] user = d;
        byte[] pw = d;
        int pwFrom = 0;
        int pwTo = 0;
        if (delete) {
            if (sp2 >= 0) {
                return error(line, "'" + cmd + "' takes only a user id, but a space follows it: " + syntax(cmd));
            }
        } else {
            if (sp2 < 0 || sp2 + 1 == to) {
                return error(line, "'" + cmd + "' needs a password after the user id (an empty password"
                        + " cannot be stored): " + syntax(cmd));
            }
            pwFrom = sp2 + 1;
            pwTo = to;
        }
        if (hex) {
            user = decodeHex(d, userFrom, userTo, line, "user id");
            if (user == null) {
                return null;
            }
            userFrom = 0;
            userTo = user.length;
            if (!delete) {
                if (indexOf(d, pwFrom, pwTo, (byte) ' ') >= 0) {
                    return error(line, "'add-hex' takes two hex fields; the password field contains a space");
                }
                pw = decodeHex(d, pwFrom, pwTo, line, "password");
                if (pw == null) {
                    return null;
                }
                pwFrom = 0;
                pwTo = pw.length;
                if (pwTo == 0) {
                    return error(line, "the password is empty; an empty password cannot be stored");
                }
            }
        }
        BatchOp op = new BatchOp(line, delete, user, userFrom, userTo, pw, pwFrom, pwTo);
        String problem = checkUser(op);
        if (problem == null && !hex) {
            problem = textProblem(user, userFrom, userTo);
        }
        if (problem == null && !delete) {
            problem = checkPassword(pw, pwFrom, pwTo);
        }
        return problem == null ? op : error(line, problem);
    }

    /** Why a user id cannot be used, or null. */
    private String checkUser(BatchOp op) {
        byte[] u = op.user();
        int from = op.userFrom();
        int to = op.userTo();
        if (from == to) {
            return "the user id is empty";
        }
        if (indexOf(u, from, to, (byte) 0) >= 0) {
            return "the user id contains a NUL byte, which a sasldb key cannot hold";
        }
        int at = op.at();
        String why = Reachability.whyUnreachable(Arrays.copyOfRange(u, from, at < 0 ? to : at),
                at < 0 ? new byte[0] : Arrays.copyOfRange(u, at + 1, to));
        if (why != null) {
            return why + "; no login could reach this user";
        }
        int keyLength = op.keyPrefixLength(defaultRealmLength) + SecretProperties.USER_PASSWORD.length();
        if (!op.delete() && keyLength > Entry.MAX_KEY_LENGTH) {
            return "user id and realm are too long: the key would take " + keyLength + " bytes, the store allows "
                    + Entry.MAX_KEY_LENGTH;
        }
        return null;
    }

    /** The rule of command-line ids (UTF-8, no control character) for add/del lines; add-hex is the explicit way out. */
    private static String textProblem(byte[] u, int from, int to) {
        for (int i = from; i < to; i++) {
            byte x = u[i];
            if (x < 0x20 || x == 0x7F) { // control byte, or a non-ASCII byte: check the whole id
                return UserChecks.refusal(Arrays.copyOfRange(u, from, to), new byte[0]);
            }
        }
        return null;
    }

    private static String checkPassword(byte[] pw, int from, int to) {
        if (to - from > PasswordInput.MAX_LENGTH) {
            return "the password is longer than " + PasswordInput.MAX_LENGTH + " bytes (saslpasswd2's limit)";
        }
        if (indexOf(pw, from, to, (byte) 0) >= 0) {
            return "the password contains a NUL byte; SASL compares passwords as C strings, so it could never match";
        }
        return null;
    }

    private byte[] decodeHex(byte[] d, int from, int to, int line, String what) {
        if (((to - from) & 1) != 0) {
            error(line, "the hex " + what + " has an odd number of digits");
            return null;
        }
        byte[] out = HexDigits.decodeOrNull(d, from, to);
        if (out == null) {
            error(line, "the hex " + what + " contains a character that is not a hex digit (0-9, a-f)");
        }
        return out;
    }

    private BatchOp error(int line, String message) {
        errorCount++;
        if (errors.size() < MAX_LISTED_ERRORS) {
            errors.add(source + ":" + line + ": " + message);
        }
        return null;
    }

    private static String syntax(String cmd) {
        return switch (cmd) {
            case "add" -> "add USER PASSWORD";
            case "del" -> "del USER";
            case "add-hex" -> "add-hex USERHEX PASSWORDHEX";
            default -> "del-hex USERHEX";
        };
    }

    static int indexOf(byte[] d, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (d[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean equals(byte[] d, int from, int to, byte[] word) {
        if (to - from != word.length) {
            return false;
        }
        for (int i = 0; i < word.length; i++) {
            if (d[from + i] != word[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
