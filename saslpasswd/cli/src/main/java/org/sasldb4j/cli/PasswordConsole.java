package org.sasldb4j.cli;

import java.nio.charset.Charset;

/** The terminal a password is typed on, with echo off. Tests supply their own. */
public interface PasswordConsole {

    /**
     * Shows {@code prompt} and reads one line with echo off.
     *
     * @return the characters without the line end, or null at end of input (Ctrl-D)
     */
    char[] readPassword(String prompt);

    /** The terminal's character set, used to turn the typed characters into bytes. */
    Charset charset();

    /** Ends the current line (after Ctrl-D, where the terminal printed no newline). */
    void newline();

    /** The JVM's console, or null if stdin or stdout is not a terminal. */
    static PasswordConsole system() {
        java.io.Console c = System.console();
        if (c == null) {
            return null;
        }
        return new PasswordConsole() {
            @Override
            public char[] readPassword(String prompt) {
                // The prompt goes to the terminal, which is stdout here, like saslpasswd2.
                return c.readPassword("%s", prompt);
            }

            @Override
            public Charset charset() {
                return c.charset();
            }

            @Override
            public void newline() {
                c.writer().println();
                c.flush();
            }
        };
    }
}
