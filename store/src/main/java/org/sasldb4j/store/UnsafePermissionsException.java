package org.sasldb4j.store;

/**
 * A store holding secrets is readable or writable by every local user. The message names the
 * file, its mode and the {@code chmod} command that fixes it.
 */
public class UnsafePermissionsException extends StoreException {
    private static final long serialVersionUID = 1L;

    public UnsafePermissionsException(String message) {
        super(message);
    }
}
