package org.sasldb4j.store.bdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.RecordSource;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreFormat;

/** A Berkeley DB hash or btree sasldb2, read without libdb. */
final class BdbSource implements RecordSource {
    private final Path path;
    private final boolean salvage;
    private final FileChannel channel;
    private final StoreFormat format;

    /**
     * Opens the file and checks its meta page, so that an unreadable file fails here rather than
     * in the middle of a conversion. Without salvage, truncation is checked here too.
     */
    BdbSource(Path path, boolean salvage) {
        this.path = path;
        this.salvage = salvage;
        try {
            this.channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new StoreException("cannot open " + path + ": " + e.getMessage(), e);
        }
        try {
            DamageSink strict = new DamageSink(path, false, problem -> {
                throw problem;
            });
            Meta meta = open(strict, !salvage, !salvage);
            this.format = meta.hash ? StoreFormat.BDB_HASH : StoreFormat.BDB_BTREE;
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /** Reads the meta page and, if asked, enforces the size checks. */
    private Meta open(DamageSink sink, boolean checkSize, boolean checkSparse) {
        long size = size();
        if (size < Meta.HEAD) {
            throw sink.damage("file of " + size + " bytes is shorter than the smallest Berkeley DB page");
        }
        Meta meta = Meta.parse(readHead(), sink);
        if (checkSize) {
            new PageFile(channel, size, meta, sink).checkSize(size);
        }
        if (checkSparse) {
            checkSparse(sink, size);
        }
        return meta;
    }

    /**
     * Refuses a file that is mostly holes before any page is read: Berkeley DB leaves unwritten
     * only the hash buckets of its last doublings, never three quarters of a file, so such a
     * file is damaged or made to waste our time (an 8 GB sparse file took minutes to walk).
     */
    private void checkSparse(DamageSink sink, long size) {
        if (size < SPARSE_CHECK_MIN) {
            return;
        }
        long data = Holes.dataBytes(path, size);
        if (data < size / 4) {
            sink.skip(sink.damage("the file is " + size + " bytes long but holds only " + data + " bytes of data"
                    + " (a sparse file); Berkeley DB never leaves that much of a file unwritten, so its page"
                    + " counts cannot be trusted"));
        }
    }

    /** Files smaller than this are read whatever their holes: reading them costs nothing. */
    static final long SPARSE_CHECK_MIN = 64L << 20;

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
        long size = size();
        Meta meta = open(sink, false, true);
        PageFile file = new PageFile(channel, size, meta, sink);
        file.checkSize(size); // in salvage mode reported, then every page the file holds is read
        if (meta.hash) {
            new HashWalk(file, sink, action).run();
        } else {
            if (meta.root == 0 || meta.root >= file.limit()) {
                throw sink.damage("page 0", "root page " + meta.root + " is not a page of this file");
            }
            new BtreeWalk(file, sink, action).run();
        }
    }

    private long size() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new StoreException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private byte[] readHead() {
        byte[] head = new byte[Meta.HEAD];
        ByteBuffer dst = ByteBuffer.wrap(head);
        try {
            while (dst.hasRemaining()) {
                if (channel.read(dst, dst.position()) < 0) {
                    throw new DamagedStoreException(path + ": the file ended while reading the meta page");
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot read " + path + ": " + e.getMessage(), e);
        }
        return head;
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException e) {
            // read-only: nothing was written that closing could lose
        }
    }
}
