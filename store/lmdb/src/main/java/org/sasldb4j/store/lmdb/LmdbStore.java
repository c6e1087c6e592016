package org.sasldb4j.store.lmdb;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.GetOp;
import org.lmdbjava.Txn;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.MalformedKeyException;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreFormat;
import org.sasldb4j.store.StoreStats;
import org.sasldb4j.store.StoreWriter;
import org.sasldb4j.store.UserId;

/**
 * A store in one LMDB data file, laid out as Cyrus SASL's {@code db_lmdb.c}: {@code MDB_NOSUBDIR}
 * (lock file {@code <path>-lock}), the unnamed main database, keys {@code authid\0realm\0prop}.
 * Handles on the same file share one {@link Environment}.
 */
final class LmdbStore implements CredentialStore {
    private final Environment env;
    private final Dbi<ByteBuffer> dbi;
    private final Path path;
    private final boolean readOnly;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LmdbStore(Environment env, boolean readOnly) {
        this.env = env;
        this.dbi = env.dbi();
        this.path = env.path();
        this.readOnly = readOnly;
    }

    static LmdbStore open(Path path, boolean readOnly) {
        return new LmdbStore(Environment.acquire(path, readOnly), readOnly);
    }

    /** The shared environment; for tests. */
    Environment environment() {
        return env;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public StoreFormat format() {
        return StoreFormat.LMDB;
    }

    @Override
    public Optional<byte[]> get(UserId user, String property) {
        ByteBuffer key = Buffers.key(user.key(property));
        if (key == null) {
            return Optional.empty();
        }
        checkOpen();
        return env.read((txn, cursor) -> getIn(txn, key));
    }

    private Optional<byte[]> getIn(Txn<ByteBuffer> txn, ByteBuffer key) {
        ByteBuffer v = dbi.get(txn, key);
        return v == null ? Optional.empty() : Optional.of(Buffers.bytes(v));
    }

    @Override
    public List<Entry> user(UserId user) {
        checkOpen();
        return env.read((txn, cursor) -> userIn(cursor, user));
    }

    @Override
    public void forEach(Consumer<? super Entry> action, Consumer<? super DamagedStoreException> onDamage) {
        checkOpen();
        env.read((txn, c) -> {
            {
                for (boolean more = c.first(); more; more = c.next()) {
                    Entry e;
                    try {
                        e = Entry.fromKey(c.key(), c.val());
                    } catch (MalformedKeyException bad) {
                        onDamage.accept(new MalformedKeyException(path + ": skipped record with key "
                                + Entry.printable(Buffers.bytes(c.key())) + ": " + bad.getMessage()));
                        continue;
                    }
                    action.accept(e);
                }
            }
            return null;
        });
    }

    @Override
    public <R> R write(Function<StoreWriter, R> work) {
        if (readOnly) {
            throw new StoreException(path + " was opened read-only");
        }
        checkOpen();
        return env.inTransaction(true, txn -> {
            try (Writer w = new Writer(txn)) {
                return work.apply(w);
            }
        });
    }

    @Override
    public StoreStats stats() {
        return closed.get() ? StoreStats.NONE : env.stats();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            env.release();
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new StoreException(path + ": this handle is closed");
        }
    }

    /** The user's records, read with {@code c} (its transaction's snapshot); one copy of each. */
    private static List<Entry> userIn(Cursor<ByteBuffer> c, UserId user) {
        byte[] prefix = user.keyPrefix();
        ByteBuffer seek = Buffers.key(prefix);
        List<Entry> out = new ArrayList<>(2);
        if (seek == null) {
            return out;
        }
        for (boolean more = c.get(seek, GetOp.MDB_SET_RANGE); more; more = c.next()) {
            ByteBuffer key = c.key();
            if (!Buffers.startsWith(key, prefix)) {
                break;
            }
            try {
                out.add(Entry.fromKey(key, c.val()));
            } catch (MalformedKeyException bad) {
                // A property name containing NUL cannot belong to this user; skip it.
            }
        }
        return out;
    }

    /** One write transaction's operations. */
    private final class Writer implements StoreWriter, AutoCloseable {
        private final Txn<ByteBuffer> txn;
        /** Opened on first use and closed with the writer: one cursor per transaction, not per call. */
        private Cursor<ByteBuffer> cursor;
        /** Reused for every put: LMDB copies key and value into the map. */
        private final ByteBuffer keyBuffer = ByteBuffer.allocateDirect(Entry.MAX_KEY_LENGTH);
        private ByteBuffer valueBuffer = ByteBuffer.allocateDirect(256);

        Writer(Txn<ByteBuffer> txn) {
            this.txn = txn;
        }

        @Override
        public Optional<byte[]> get(UserId user, String property) {
            ByteBuffer key = Buffers.key(user.key(property));
            return key == null ? Optional.empty() : getIn(txn, key);
        }

        @Override
        public List<Entry> user(UserId user) {
            return userIn(cursor(), user);
        }

        @Override
        public void put(Entry entry) {
            entry.requireKeyFits();
            keyBuffer.clear();
            entry.writeKey(keyBuffer);
            keyBuffer.flip();
            int length = entry.valueLength();
            if (valueBuffer.capacity() < length) {
                Buffers.wipe(valueBuffer);
                valueBuffer = ByteBuffer.allocateDirect(Integer.highestOneBit(length) << 1);
            }
            valueBuffer.clear();
            entry.writeValue(valueBuffer);
            valueBuffer.flip();
            try {
                dbi.put(txn, keyBuffer, valueBuffer);
            } finally {
                for (int i = 0; i < length; i++) {
                    valueBuffer.put(i, (byte) 0);
                }
            }
        }

        private Cursor<ByteBuffer> cursor() {
            if (cursor == null) {
                cursor = dbi.openCursor(txn);
            }
            return cursor;
        }

        @Override
        public void close() {
            if (cursor != null) {
                cursor.close();
            }
            Buffers.wipe(valueBuffer);
        }

        @Override
        public boolean delete(UserId user, String property) {
            ByteBuffer key = Buffers.key(user.key(property));
            return key != null && dbi.delete(txn, key);
        }

        /**
         * One seek to the user's records, then a scan of them (a user has a handful): no key is
         * built per property, and a user without records costs one seek.
         */
        @Override
        public int delete(UserId user, Collection<String> properties) {
            byte[] prefix = user.keyPrefix();
            ByteBuffer seek = Buffers.key(prefix);
            if (seek == null || properties.isEmpty()) {
                return 0;
            }
            Cursor<ByteBuffer> c = cursor();
            int n = 0;
            boolean more = c.get(seek, GetOp.MDB_SET_RANGE);
            while (more && Buffers.startsWith(c.key(), prefix)) {
                ByteBuffer key = c.key();
                byte[] property = new byte[key.remaining() - prefix.length];
                key.get(key.position() + prefix.length, property);
                if (properties.contains(new String(property, java.nio.charset.StandardCharsets.UTF_8))) {
                    c.delete();
                    n++;
                    // Seek again: where a cursor rests after a delete is not a documented "next".
                    more = c.get(Buffers.key(prefix), GetOp.MDB_SET_RANGE);
                    continue;
                }
                more = c.next();
            }
            return n;
        }

        @Override
        public int deleteUser(UserId user) {
            byte[] prefix = user.keyPrefix();
            ByteBuffer seek = Buffers.direct(prefix);
            Cursor<ByteBuffer> c = cursor();
            int n = 0;
            while (c.get(seek, GetOp.MDB_SET_RANGE) && Buffers.startsWith(c.key(), prefix)) {
                c.delete();
                n++;
                seek.rewind();
            }
            return n;
        }
    }
}
