package org.sasldb4j.auxprop.bench;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.GetOp;
import org.lmdbjava.Txn;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.UserId;

/**
 * A prototype of the store change proposed in docs/benchmarks.md ("Bridge verify"): what
 * {@code LmdbStore.user()} costs when one thread reuses its read transaction (reset/renew), its
 * cursor (renew) and a direct key buffer, instead of beginning a transaction, opening a cursor
 * and allocating a direct buffer per lookup. Benchmark-only; single-threaded; read-only.
 */
final class ReusedTxnLookup implements AutoCloseable {
    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> dbi;
    private final Txn<ByteBuffer> txn;
    private final Cursor<ByteBuffer> cursor;
    private final ByteBuffer key = ByteBuffer.allocateDirect(Entry.MAX_KEY_LENGTH);

    ReusedTxnLookup(Path path) {
        env = Env.create().setMapSize(64L << 20 << 2).setMaxReaders(126)
                .open(path.toFile(), EnvFlags.MDB_NOSUBDIR, EnvFlags.MDB_RDONLY_ENV);
        try (Txn<ByteBuffer> t = env.txnRead()) {
            dbi = env.openDbi(t, null, null, false);
            t.commit();
        }
        txn = env.txnRead();
        cursor = dbi.openCursor(txn);
        txn.reset();
    }

    /** All records of {@code user}, as {@code CredentialStore.user} returns them. */
    List<Entry> user(UserId user) {
        byte[] prefix = user.keyPrefix();
        key.clear();
        key.put(prefix).flip();
        txn.renew();
        cursor.renew(txn);
        List<Entry> out = new ArrayList<>(2);
        try {
            for (boolean more = cursor.get(key, GetOp.MDB_SET_RANGE); more; more = cursor.next()) {
                ByteBuffer k = cursor.key();
                if (k.remaining() < prefix.length || !startsWith(k, prefix)) {
                    break;
                }
                byte[] kb = new byte[k.remaining()];
                k.get(kb);
                ByteBuffer v = cursor.val();
                byte[] vb = new byte[v.remaining()];
                v.get(vb);
                out.add(Entry.fromKey(kb, vb));
                java.util.Arrays.fill(vb, (byte) 0);
            }
        } finally {
            txn.reset();
        }
        return out;
    }

    private static boolean startsWith(ByteBuffer k, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (k.get(k.position() + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        cursor.close();
        txn.close();
        env.close();
    }
}
