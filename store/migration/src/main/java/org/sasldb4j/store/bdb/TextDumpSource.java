package org.sasldb4j.store.bdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.RecordSource;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreFormat;

/**
 * What the two text dumps ({@code db_dump}, {@code gdbm_dump}) share: one pass over the file's
 * lines, damage reported through a {@link DamageSink}, an I/O error as a {@link StoreException}.
 * Each subclass reads its own grammar. {@link BdbSource} has the same {@code RecordSource}
 * frame but stays apart: it holds an open file and learns its format from the meta page.
 */
abstract class TextDumpSource implements RecordSource {
    private final Path path;
    private final boolean salvage;
    private final StoreFormat format;

    TextDumpSource(Path path, boolean salvage, StoreFormat format) {
        this.path = path;
        this.salvage = salvage;
        this.format = format;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public StoreFormat format() {
        return format;
    }

    @Override
    public void forEach(Consumer<? super Entry> action, Consumer<? super DamagedStoreException> onDamage) {
        DamageSink sink = new DamageSink(path, salvage, onDamage);
        try (LineReader r = new LineReader(Files.newInputStream(path))) {
            read(r, sink, action);
        } catch (IOException e) {
            throw new StoreException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Reads the whole dump from {@code r}, giving each record to {@code action}. */
    abstract void read(LineReader r, DamageSink sink, Consumer<? super Entry> action) throws IOException;

    @Override
    public void close() {}
}
