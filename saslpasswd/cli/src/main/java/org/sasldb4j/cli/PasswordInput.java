package org.sasldb4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reading a password the way saslpasswd2 does, minus its silent truncation.
 *
 * <p>saslpasswd2 stores what one {@code read()} of at most 2048 bytes returns, minus one trailing
 * LF (CR is kept). sasldb4j keeps that meaning but reads until end of input (a pipe may deliver
 * the bytes in pieces; a terminal still gives one line per read), and refuses a password longer
 * than {@value #MAX_LENGTH} bytes or containing NUL instead of cutting it (defect D11,
 * docs/reference/cyrus-sasldb.md §14; the byte table is §9.4 there).
 *
 * <p>Every returned array belongs to the caller, who wipes it; every buffer used on the way is
 * wiped here.
 */
public final class PasswordInput {
    /** saslpasswd2's {@code PW_BUF_SIZE}. */
    public static final int MAX_LENGTH = 2048;

    private PasswordInput() {}

    /**
     * Reads a password from a stream.
     *
     * @param singleRead true when the stream is a terminal: one read returns one typed line
     * @param source words for messages, e.g. "standard input"
     */
    public static byte[] read(InputStream in, boolean singleRead, String source)
            throws IOException, InvalidPasswordException {
        // Two bytes more than allowed: room for the LF that is stripped, and one to notice excess.
        byte[] buf = new byte[MAX_LENGTH + 2];
        int n = 0;
        try {
            while (n < buf.length) {
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
                if (singleRead && r > 0) {
                    break;
                }
            }
            return checked(buf, n, source);
        } finally {
            Arrays.fill(buf, (byte) 0);
        }
    }

    /** Reads a password file: its content minus one trailing LF. */
    public static byte[] readFile(Path file) throws IOException, InvalidPasswordException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, false, "file " + file);
        } catch (FileSystemException e) {
            // Its message is only the path: say what is wrong with it.
            throw new IOException("file " + file + ": " + reason(e) + "; check --password-file", e);
        }
    }

    private static String reason(FileSystemException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
    }

    /** Reads a password from an inherited, already open file descriptor. */
    public static byte[] readFd(int fd, CliEnvironment env) throws IOException, InvalidPasswordException {
        if (fd < 0) {
            throw new InvalidPasswordException("--password-fd needs a file descriptor number >= 0, not " + fd);
        }
        Path p = env.fdDirectory().resolve(Integer.toString(fd));
        if (!Files.exists(p)) {
            throw new IOException("file descriptor " + fd + " is not open (" + p + " does not exist)");
        }
        try (InputStream in = Files.newInputStream(p)) {
            return read(in, false, "file descriptor " + fd);
        }
    }

    /**
     * Bytes of a password typed on a terminal, in the terminal's character set, with the same
     * checks as piped input. The characters are wiped.
     */
    public static byte[] fromChars(char[] chars, Charset charset, String source) throws InvalidPasswordException {
        CharsetEncoder enc = charset.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer out = null;
        try {
            out = enc.encode(CharBuffer.wrap(chars));
            byte[] b = new byte[out.remaining()];
            out.get(b);
            try {
                return checked(b, b.length, source, false);
            } finally {
                Arrays.fill(b, (byte) 0);
            }
        } catch (CharacterCodingException e) {
            throw new InvalidPasswordException("the password typed on the terminal is not valid " + charset);
        } finally {
            Arrays.fill(chars, '\0');
            if (out != null && out.hasArray()) {
                Arrays.fill(out.array(), (byte) 0);
            }
        }
    }

    /** The first {@code n} bytes of {@code buf} minus one trailing LF, checked, as a new array. */
    static byte[] checked(byte[] buf, int n, String source) throws InvalidPasswordException {
        return checked(buf, n, source, true);
    }

    private static byte[] checked(byte[] buf, int n, String source, boolean stripLf) throws InvalidPasswordException {
        int len = stripLf && n > 0 && buf[n - 1] == '\n' ? n - 1 : n;
        if (len > MAX_LENGTH) {
            throw new InvalidPasswordException("the password from " + source + " is longer than " + MAX_LENGTH
                    + " bytes; saslpasswd2 would silently store only the first " + MAX_LENGTH
                    + ". Nothing was written");
        }
        check(buf, 0, len, source);
        return Arrays.copyOf(buf, len);
    }

    /**
     * Refuses a NUL byte in {@code buf[from, to)}: Cyrus compares passwords as C strings, so
     * the bytes after it would never count.
     */
    public static void check(byte[] buf, int from, int to, String source) throws InvalidPasswordException {
        for (int i = from; i < to; i++) {
            if (buf[i] == 0) {
                throw new InvalidPasswordException("the password from " + source + " contains a NUL byte;"
                        + " saslpasswd2 would silently store only the bytes before it. Nothing was written");
            }
        }
    }
}
