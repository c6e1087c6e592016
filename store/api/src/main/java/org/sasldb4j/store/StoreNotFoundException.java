package org.sasldb4j.store;

import java.nio.file.Path;

/** The store file does not exist and the caller asked not to create it. */
public class StoreNotFoundException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final transient Path store;

    public StoreNotFoundException(String message) {
        super(message);
        this.store = null;
    }

    /**
     * No store at {@code store}, which the caller asked to open without creating it; a command
     * may add how to create one.
     */
    public StoreNotFoundException(Path store) {
        super(store + ": no such store");
        this.store = store;
    }

    /**
     * No store at {@code store}, said in the caller's words: a server store's name is not a file
     * path ({@code Path.of} would fold the {@code //} of its URI).
     */
    public StoreNotFoundException(String message, Path store) {
        super(message);
        this.store = store;
    }

    /** The store that was asked for and is missing; null when the message names some other file. */
    public Path store() {
        return store;
    }
}
