package org.sasldb4j.store;

/** The store file does not exist and the caller asked not to create it. */
public class StoreNotFoundException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreNotFoundException(String message) {
        super(message);
    }
}
