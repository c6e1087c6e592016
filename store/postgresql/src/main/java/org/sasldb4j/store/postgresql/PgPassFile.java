package org.sasldb4j.store.postgresql;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * libpq's password file ({@code ~/.pgpass}, {@code PGPASSFILE}, the {@code passfile} parameter):
 * lines {@code hostname:port:database:username:password}, the first matching line wins, each of
 * the first four fields may be {@code *}, {@code \} escapes {@code :} and {@code \}. A file that
 * its group or others may access, or that is not a regular file, is ignored with a warning, as
 * libpq does (docs/reference/libpq.md §3).
 *
 * <p><b>Security:</b> the file is read as bytes and decoded into a char array; both are wiped,
 * and only the matching password leaves, as a char array the caller wipes.
 */
final class PgPassFile {
    private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PgPassFile() {}

    /**
     * The password of the first line matching the connection, or null (no file, an unsafe file,
     * no matching line).
     *
     * @param host the host as named (not resolved); libpq matches {@code localhost} for a Unix socket
     * @param port the port as a decimal string
     * @param warnings receives one line when the file is ignored for its permissions or type
     */
    static char[] lookup(Path file, String host, String port, String database, String user,
            Consumer<String> warnings) {
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, PosixFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return null; // libpq: a password file it cannot stat is as good as none
        }
        if (!attrs.isRegularFile()) {
            warnings.accept("password file \"" + file + "\" is not a plain file; ignored");
            return null;
        }
        Set<PosixFilePermission> extra = EnumSet.copyOf(GROUP_OR_OTHER);
        extra.retainAll(attrs.permissions());
        if (!extra.isEmpty()) {
            warnings.accept("password file \"" + file + "\" has group or world access; permissions should be"
                    + " u=rw (0600) or less (chmod 0600 " + file + "); ignored");
            return null;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            warnings.accept("password file \"" + file + "\" cannot be read (" + e.getClass().getSimpleName() + "); ignored");
            return null;
        }
        char[] text = null;
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes));
            text = new char[cb.remaining()];
            cb.get(text);
            Arrays.fill(cb.array(), '\0');
            return match(text, host, port, database, user);
        } catch (java.nio.charset.CharacterCodingException e) {
            return null; // cannot happen with REPLACE
        } finally {
            Arrays.fill(bytes, (byte) 0);
            if (text != null) {
                Arrays.fill(text, '\0');
            }
        }
    }

    /** The first matching line's password in {@code text} (not modified), or null. */
    static char[] match(char[] text, String host, String port, String database, String user) {
        String[] wanted = {host, port, database, user};
        int lineStart = 0;
        while (lineStart < text.length) {
            int lineEnd = lineStart;
            while (lineEnd < text.length && text[lineEnd] != '\n') {
                lineEnd++;
            }
            int end = lineEnd;
            if (end > lineStart && text[end - 1] == '\r') {
                end--;
            }
            if (end > lineStart && text[lineStart] != '#') {
                int p = lineStart;
                boolean ok = true;
                for (String field : wanted) {
                    int next = matchField(text, p, end, field);
                    if (next < 0) {
                        ok = false;
                        break;
                    }
                    p = next;
                }
                if (ok) {
                    return password(text, p, end);
                }
            }
            lineStart = lineEnd + 1;
        }
        return null;
    }

    /**
     * Matches the field starting at {@code p} against {@code value}; returns the index after its
     * ':' or -1. {@code *} alone matches anything; otherwise the field, with {@code \x} read as
     * {@code x}, must equal the value.
     */
    private static int matchField(char[] t, int p, int end, String value) {
        if (p + 1 < end && t[p] == '*' && t[p + 1] == ':') {
            return p + 2;
        }
        int i = 0;
        while (p < end && t[p] != ':') {
            char c = t[p];
            if (c == '\\' && p + 1 < end) {
                p++;
                c = t[p];
            }
            if (i >= value.length() || value.charAt(i) != c) {
                return -1;
            }
            i++;
            p++;
        }
        if (p >= end || i != value.length()) {
            return -1; // fewer than five fields, or a shorter value
        }
        return p + 1;
    }

    /** The password field from {@code p}: escapes removed, ending at an unescaped ':' or the line's end. */
    private static char[] password(char[] t, int p, int end) {
        char[] buf = new char[end - p];
        int n = 0;
        while (p < end && t[p] != ':') {
            if (t[p] == '\\' && p + 1 < end) {
                p++;
            }
            buf[n++] = t[p++];
        }
        char[] out = Arrays.copyOf(buf, n);
        Arrays.fill(buf, '\0');
        return out;
    }
}
