package org.sasldb4j.cli;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pipe-mode byte table of docs/reference/cyrus-sasldb.md §9.4, and the refusals of defect D11 (§14 there). */
class PasswordInputTest {
    @TempDir
    Path dir;

    private static byte[] read(String input) throws Exception {
        return PasswordInput.read(new ByteArrayInputStream(input.getBytes(ISO_8859_1)), false, "standard input");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "secret|secret",
        "two\\n\\n|two\\n",
        "crlf\\r\\n|crlf\\r",
        "a\\nb\\n|a\\nb",
        "\\n|",
        "|",
    })
    void storesWhatSaslpasswd2Stores(String in, String stored) throws Exception {
        assertArrayEquals(unescape(stored).getBytes(ISO_8859_1), read(unescape(in)));
    }

    @Test
    void refusesNulInsteadOfTruncating() {
        InvalidPasswordException e = assertThrows(InvalidPasswordException.class, () -> read("x\0y"));
        assertTrue(e.getMessage().contains("NUL"), e.getMessage());
        assertTrue(!e.getMessage().contains("x") || e.getMessage().indexOf("x\0") < 0);
    }

    @Test
    void refusesMoreThan2048BytesInsteadOfTruncating() throws Exception {
        InvalidPasswordException e = assertThrows(InvalidPasswordException.class, () -> read("A".repeat(3000)));
        assertTrue(e.getMessage().contains("2048"), e.getMessage());
        assertThrows(InvalidPasswordException.class, () -> read("A".repeat(2049)));
        assertEquals(2048, read("A".repeat(2048)).length);
        assertEquals(2048, read("A".repeat(2048) + "\n").length);
        assertThrows(InvalidPasswordException.class, () -> read("A".repeat(2049) + "\n"));
    }

    @Test
    void readsAPipeThatDeliversInPieces() throws Exception {
        InputStream slow = new InputStream() {
            final byte[] data = "pass\nword\n".getBytes(UTF_8);
            int i;

            @Override
            public int read() {
                return i < data.length ? data[i++] : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (i >= data.length) {
                    return -1;
                }
                b[off] = data[i++];
                return 1;
            }
        };
        assertArrayEquals("pass\nword".getBytes(UTF_8), PasswordInput.read(slow, false, "stdin"));
    }

    @Test
    void aTerminalGivesOneLinePerRead() throws Exception {
        InputStream tty = new InputStream() {
            int calls;

            @Override
            public int read() {
                return -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                byte[] line = (calls++ == 0 ? "first\n" : "second\n").getBytes(UTF_8);
                System.arraycopy(line, 0, b, off, line.length);
                return line.length;
            }
        };
        assertArrayEquals("first".getBytes(UTF_8), PasswordInput.read(tty, true, "stdin"));
    }

    @Test
    void passwordFileAndFd() throws Exception {
        Path f = dir.resolve("pw");
        Files.write(f, "from file\r\n".getBytes(UTF_8));
        assertArrayEquals("from file\r".getBytes(UTF_8), PasswordInput.readFile(f));
        Path fds = Files.createDirectory(dir.resolve("fd"));
        Files.write(fds.resolve("3"), "from fd\n".getBytes(UTF_8));
        CliEnvironment env = CliEnvironment.builder().fdDirectory(fds).build();
        assertArrayEquals("from fd".getBytes(UTF_8), PasswordInput.readFd(3, env));
        IOException closed = assertThrows(IOException.class, () -> PasswordInput.readFd(4, env));
        assertTrue(closed.getMessage().contains("not open"), closed.getMessage());
        Files.write(f, "a\0b".getBytes(UTF_8));
        assertThrows(InvalidPasswordException.class, () -> PasswordInput.readFile(f));
    }

    @Test
    void terminalCharactersAreEncodedAndWiped() throws Exception {
        char[] typed = "pässword".toCharArray();
        assertArrayEquals("pässword".getBytes(UTF_8), PasswordInput.fromChars(typed, UTF_8, "the terminal"));
        char[] zeros = new char[typed.length];
        assertTrue(Arrays.equals(zeros, typed), "typed characters are wiped");
    }

    private static String unescape(String s) {
        return s == null ? "" : s.replace("\\n", "\n").replace("\\r", "\r");
    }
}
