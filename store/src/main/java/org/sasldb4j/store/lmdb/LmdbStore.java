package org.sasldb4j.store.lmdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;
import org.lmdbjava.LmdbNativeException;
import org.lmdbjava.Txn;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.MalformedKeyException;
import org.sasldb4j.store.PermissionPolicy;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreFormat;
import org.sasldb4j.store.StoreWriter;
import org.sasldb4j.store.UserId;

/**
 * A store in one LMDB data file, laid out as Cyrus SASL's {@code db_lmdb.c}: {@code MDB_NOSUBDIR}
 * (lock file {@code <path>-lock}), the unnamed main database, keys {@code authid\0realm\0prop}.
 *
 * <p>The map starts at twice the file size (at least {@link #MIN_MAP_SIZE}) and doubles whenever
 * a write finds it full; a map grown by another process is adopted when LMDB reports it.
 */
final class LmdbStore implements CredentialStore {
    static final long MIN_MAP_SIZE = 64L << 20;
    private static final int FILE_MODE = 0660;

    private final Path path;
    private final boolean readOnly;
    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> dbi;
    /** Transactions hold the read side; changing the map size needs none to be active. */
    private final ReentrantReadWriteLock mapLock = new ReentrantReadWriteLock();

    private LmdbStore(Path path, boolean readOnly, Env<ByteBuffer> env, Dbi<ByteBuffer> dbi) {
        this.path = path;
        this.readOnly = readOnly;
        this.env = env;
        this.dbi = dbi;
    }

    static LmdbStore open(Path path, boolean readOnly) {
        NativeLibrary.preferSystem();
        long fileSize = sizeOf(path);
        Env<ByteBuffer> env;
        try {
            EnvFlags[] flags = readOnly
                    ? new EnvFlags[] {EnvFlags.MDB_NOSUBDIR, EnvFlags.MDB_RDONLY_ENV}
                    : new EnvFlags[] {EnvFlags.MDB_NOSUBDIR};
            env = Env.create()
                    .setMapSize(mapSizeFor(fileSize))
                    .setMaxReaders(126)
                    .open(path.toFile(), FILE_MODE, flags);
        } catch (LmdbException e) {
            throw failure("cannot open", path, e);
        }
        try {
            if (!readOnly) {
                PermissionPolicy.alignSideFile(path, LmdbBackend.lockFile(path));
            }
            Dbi<ByteBuffer> dbi;
            try (Txn<ByteBuffer> txn = env.txnRead()) {
                dbi = env.openDbi(txn, null, null, false);
                txn.commit();
            }
            return new LmdbStore(path, readOnly, env, dbi);
        } catch (LmdbException | StoreException e) {
            env.close();
            throw e instanceof StoreException se ? se : failure("cannot open", path, e);
        }
    }

    static long mapSizeFor(long fileSize) {
        long want = Math.max(MIN_MAP_SIZE, fileSize * 2);
        return (want + 0xFFFFF) & ~0xFFFFFL;
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
        return read(txn -> getIn(txn, key));
    }

    private Optional<byte[]> getIn(Txn<ByteBuffer> txn, ByteBuffer key) {
        ByteBuffer v = dbi.get(txn, key);
        return v == null ? Optional.empty() : Optional.of(Buffers.bytes(v));
    }

    @Override
    public List<Entry> user(UserId user) {
        return read(txn -> userIn(txn, user));
    }

    @Override
    public void forEach(Consumer<? super Entry> action, Consumer<? super DamagedStoreException> onDamage) {
        read(txn -> {
            try (Cursor<ByteBuffer> c = dbi.openCursor(txn)) {
                for (boolean more = c.first(); more; more = c.next()) {
                    byte[] key = Buffers.bytes(c.key());
                    Entry e;
                    try {
                        e = Entry.fromKey(key, Buffers.bytes(c.val()));
                    } catch (MalformedKeyException bad) {
                        onDamage.accept(new MalformedKeyException(
                                path + ": skipped record with key " + Buffers.printable(key) + ": " + bad.getMessage()));
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
        return inTransaction(true, txn -> work.apply(new Writer(txn)));
    }

    @Override
    public void close() {
        mapLock.writeLock().lock();
        try {
            if (!env.isClosed()) {
                env.close();
            }
        } finally {
            mapLock.writeLock().unlock();
        }
    }

    private <R> R read(Function<Txn<ByteBuffer>, R> work) {
        return inTransaction(false, work);
    }

    /**
     * Runs work in one transaction (committed if {@code write}), growing the map and retrying
     * when it is full, and adopting a map grown by another process.
     */
    private <R> R inTransaction(boolean write, Function<Txn<ByteBuffer>, R> work) {
        while (true) {
            boolean grow;
            mapLock.readLock().lock();
            try (Txn<ByteBuffer> txn = write ? env.txnWrite() : env.txnRead()) {
                R result = work.apply(txn);
                if (write) {
                    txn.commit();
                }
                return result;
            } catch (Env.MapFullException e) {
                grow = true;
            } catch (Dbi.MapResizedException e) {
                grow = false;
            } catch (LmdbException e) {
                throw failure(write ? "cannot write to" : "cannot read", path, e);
            } finally {
                mapLock.readLock().unlock();
            }
            resizeMap(grow);
        }
    }

    private List<Entry> userIn(Txn<ByteBuffer> txn, UserId user) {
        byte[] prefix = user.keyPrefix();
        List<Entry> out = new ArrayList<>();
        try (Cursor<ByteBuffer> c = dbi.openCursor(txn)) {
            for (boolean more = c.get(Buffers.direct(prefix), GetOp.MDB_SET_RANGE); more; more = c.next()) {
                byte[] key = Buffers.bytes(c.key());
                if (!startsWith(key, prefix)) {
                    break;
                }
                try {
                    out.add(Entry.fromKey(key, Buffers.bytes(c.val())));
                } catch (MalformedKeyException bad) {
                    // A property name containing NUL cannot belong to this user; skip it.
                }
            }
        }
        return out;
    }

    /** Doubles the map, or (grow false) adopts the size another process recorded in the file. */
    private void resizeMap(boolean grow) {
        mapLock.writeLock().lock();
        try {
            env.setMapSize(grow ? env.info().mapSize * 2 : 0);
        } catch (LmdbException e) {
            throw failure("cannot resize the map of", path, e);
        } finally {
            mapLock.writeLock().unlock();
        }
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static long sizeOf(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return 0;
        }
    }

    static StoreException failure(String what, Path path, Exception e) {
        String reason = e.getMessage();
        if (e instanceof LmdbNativeException n) {
            reason = switch (n.getResultCode()) {
                case 13 -> "permission denied";
                case 2 -> "no such file";
                case 28 -> "no space left on device";
                case 30 -> "read-only file system";
                case -30793 -> "not an LMDB file or a different LMDB version (MDB_INVALID)";
                case -30794 -> "the LMDB version of the file does not match (MDB_VERSION_MISMATCH)";
                case -30796 -> "the file is corrupted (MDB_CORRUPTED)";
                case -30795 -> "LMDB fatal error (MDB_PANIC): restart and check the file with mdb_stat";
                default -> reason;
            };
        }
        return new StoreException(what + " " + path + ": " + reason, e);
    }

    /** One write transaction's operations. */
    private final class Writer implements StoreWriter {
        private final Txn<ByteBuffer> txn;
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
            return userIn(txn, user);
        }

        @Override
        public void put(Entry entry) {
            if (entry.keyLength() > Entry.MAX_KEY_LENGTH) {
                throw new StoreException("cannot store " + entry + ": user id, realm and property name"
                        + " together take " + entry.keyLength() + " bytes; LMDB (and Cyrus's LMDB sasldb)"
                        + " allows at most " + Entry.MAX_KEY_LENGTH);
            }
            keyBuffer.clear();
            keyBuffer.put(entry.key()).flip();
            byte[] value = entry.value();
            if (valueBuffer.capacity() < value.length) {
                Buffers.wipe(valueBuffer);
                valueBuffer = ByteBuffer.allocateDirect(Integer.highestOneBit(value.length) << 1);
            }
            valueBuffer.clear();
            valueBuffer.put(value).flip();
            try {
                dbi.put(txn, keyBuffer, valueBuffer);
            } finally {
                Arrays.fill(value, (byte) 0);
                valueBuffer.clear();
                valueBuffer.put(new byte[value.length]);
            }
        }

        @Override
        public boolean delete(UserId user, String property) {
            ByteBuffer key = Buffers.key(user.key(property));
            return key != null && dbi.delete(txn, key);
        }

        @Override
        public int deleteUser(UserId user) {
            byte[] prefix = user.keyPrefix();
            ByteBuffer seek = Buffers.direct(prefix);
            int n = 0;
            try (Cursor<ByteBuffer> c = dbi.openCursor(txn)) {
                while (c.get(seek, GetOp.MDB_SET_RANGE) && startsWith(Buffers.bytes(c.key()), prefix)) {
                    c.delete();
                    n++;
                    seek.rewind();
                }
            }
            return n;
        }
    }
}
