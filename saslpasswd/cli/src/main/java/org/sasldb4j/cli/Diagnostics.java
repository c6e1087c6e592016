package org.sasldb4j.cli;

import java.io.PrintStream;

/**
 * Messages on stderr, one line each, prefixed with the program name like every Cyrus message.
 * Errors show only their message: a stack trace would bury it, and the store's messages already
 * say what failed and what to do. {@code SASLDB4J_DEBUG=1} adds the trace for bug reports.
 *
 * <p><b>Security:</b> callers never pass a secret; store exception messages never contain one.
 */
public final class Diagnostics {
    /** Set to {@code 1} to print stack traces of errors. */
    public static final String DEBUG_ENV = "SASLDB4J_DEBUG";

    private final String program;
    private final PrintStream err;
    private final boolean debug;

    public Diagnostics(String program, CliEnvironment env) {
        this.program = program;
        this.err = env.stderr();
        String d = env.getenv(DEBUG_ENV);
        this.debug = d != null && !d.isEmpty() && !d.equals("0");
    }

    public String program() {
        return program;
    }

    /** {@code program: message}. */
    public void error(String message) {
        err.println(program + ": " + message);
    }

    /** Reports {@code e} in one line and returns {@code exitCode}. */
    public int fail(RuntimeException e, int exitCode) {
        error(StoreAdvice.message(e));
        if (debug) {
            e.printStackTrace(err);
        }
        return exitCode;
    }

    /** {@code program: warning: message}. */
    public void warn(String message) {
        err.println(program + ": warning: " + message);
    }

    /** {@code program: note: message}: what the tool chose on the user's behalf. */
    public void note(String message) {
        err.println(program + ": note: " + message);
    }

    /** The text as is, for usage and version texts. */
    public void raw(String text) {
        err.print(text);
        err.flush();
    }

    public PrintStream stream() {
        return err;
    }
}
