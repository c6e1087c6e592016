package org.sasldb4j.store;

/**
 * The file exists but is not a store this program writes: a Berkeley DB sasldb2 (which must be
 * migrated with {@code sasldbconvert}), a text file, or an unrecognised or damaged file. The file
 * is never modified.
 */
public class ForeignFormatException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final StoreFormat format;

    public ForeignFormatException(StoreFormat format, String message) {
        super(message);
        this.format = format;
    }

    /** What the file was recognised as. */
    public StoreFormat format() {
        return format;
    }
}
