package org.sasldb4j.cli;

/**
 * A password that cannot be stored as given: too long, or containing a NUL byte. saslpasswd2
 * silently truncates both (defect D11, docs/reference/cyrus-sasldb.md §14); sasldb4j refuses
 * them. The message never contains the password.
 */
public final class InvalidPasswordException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidPasswordException(String message) {
        super(message);
    }
}
