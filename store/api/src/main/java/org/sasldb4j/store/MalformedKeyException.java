package org.sasldb4j.store;

/**
 * A key that does not have the Cyrus shape {@code authid \0 realm \0 property}. Listings report
 * and skip such keys (Cyrus loops forever on them); migration reports them.
 */
public class MalformedKeyException extends DamagedStoreException {
    private static final long serialVersionUID = 1L;

    public MalformedKeyException(String message) {
        super(message);
    }
}
