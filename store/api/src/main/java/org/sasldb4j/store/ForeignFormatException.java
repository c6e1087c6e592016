package org.sasldb4j.store;

import java.nio.file.Path;

/**
 * The file exists but is not a store this program writes: a Berkeley DB sasldb2 (which must be
 * migrated, see {@code docs/migration.md}), a text file, or an unrecognised or damaged file. The
 * file is never modified.
 */
public class ForeignFormatException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final StoreFormat format;
    private final transient Path path;

    public ForeignFormatException(StoreFormat format, String message) {
        this(format, null, message);
    }

    /**
     * A file given as a store that is {@code format}; a command may add how to migrate it.
     *
     * @param path the file given as a store
     */
    public ForeignFormatException(StoreFormat format, Path path, String message) {
        super(message);
        this.format = format;
        this.path = path;
    }

    /** The file that was given as a store; null when the message names the file some other way. */
    public Path path() {
        return path;
    }

    /** What the file was recognised as. */
    public StoreFormat format() {
        return format;
    }
}
