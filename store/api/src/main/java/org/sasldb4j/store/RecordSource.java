package org.sasldb4j.store;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Something whose records can be read in one pass: a store, or a foreign file being migrated
 * (Berkeley DB sasldb2, a {@code db_dump} or {@code gdbm_dump} text).
 *
 * <p>Records handed to the action are copies: they stay valid after the pass ends.
 */
public interface RecordSource extends AutoCloseable {

    /**
     * The file this source reads. A store on a database server has no file: it returns a
     * relative path made of its {@link #name()}, which nothing should open.
     */
    Path path();

    /**
     * The source as messages name it: the file's path, or a server address without its password
     * ({@link StoreAddress#redacted}).
     */
    default String name() {
        return path().toString();
    }

    /** What the file was recognised as. */
    StoreFormat format();

    /**
     * Visits every record. Stores visit in key order (bytewise, unsigned); foreign files in their
     * own order.
     *
     * @param action receives each readable record
     * @param onDamage receives each problem the source can skip (a malformed key, an unreadable
     *     page in salvage mode); throwing from it stops the pass. Problems that make the rest of
     *     the file unreadable are thrown as {@link DamagedStoreException}.
     */
    void forEach(Consumer<? super Entry> action, Consumer<? super DamagedStoreException> onDamage);

    /** Visits every record; the first problem is thrown. */
    default void forEach(Consumer<? super Entry> action) {
        forEach(action, problem -> {
            throw problem;
        });
    }

    /** Releases the file. Never throws a checked exception. */
    @Override
    void close();
}
