package org.sasldb4j.store;

/**
 * A file is of a known kind but its content is damaged (truncated, out-of-bounds item, loop in a
 * page chain, malformed key...). The message names the file, the place (page number where known)
 * and what is wrong.
 */
public class DamagedStoreException extends StoreException {
    private static final long serialVersionUID = 1L;

    public DamagedStoreException(String message) {
        super(message);
    }

    public DamagedStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
