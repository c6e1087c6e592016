package org.sasldb4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --password-file FILE} and {@code --password-fd N}: passwords for scripts that neither
 * appear in argv (visible in {@code ps}) nor need a pipe on stdin.
 */
public final class PasswordSourceOptions {
    @Option(names = "--password-file", paramLabel = "FILE",
            description = "Read the password from FILE (its content minus one trailing LF; at most "
                    + PasswordInput.MAX_LENGTH + " bytes, no NUL). Keep the file private.")
    Path file;

    @Option(names = "--password-fd", paramLabel = "N",
            description = "Read the password from the already open file descriptor N until end of input,"
                    + " e.g. 3 with 3<secret.txt, same rules as --password-file.")
    Integer fd;

    /** True if either option was given. */
    public boolean isSet() {
        return file != null || fd != null;
    }

    /** True if both were given (a usage error). */
    public boolean conflicting() {
        return file != null && fd != null;
    }

    /** Words for messages: which option supplies the password. */
    public String describe() {
        return file != null ? "--password-file" : "--password-fd";
    }

    /** Reads the password from whichever option was given. The caller wipes the result. */
    public byte[] read(CliEnvironment env) throws IOException, InvalidPasswordException {
        return file != null ? PasswordInput.readFile(file) : PasswordInput.readFd(fd, env);
    }
}
