package org.sasldb4j.store;

/**
 * A store holding secrets is readable or writable by every local user, or a store file, side
 * file or directory above them could be replaced by another user (a planted link). The message
 * names the file or directory, what is wrong and the command that fixes it.
 */
public class UnsafePermissionsException extends StoreException {
    private static final long serialVersionUID = 1L;

    public UnsafePermissionsException(String message) {
        super(message);
    }
}
