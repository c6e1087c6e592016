package org.sasldb4j.store;

/**
 * Root of every error the store reports. Unchecked: most callers can only show the message.
 *
 * <p>Messages are written for the person running the tool: they name the file and say what to
 * do. <b>Security:</b> a message never contains a password, a hash or any other property value.
 * Subclasses exist only where a caller reacts differently.
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
