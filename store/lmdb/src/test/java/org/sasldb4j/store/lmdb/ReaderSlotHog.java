package org.sasldb4j.store.lmdb;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/**
 * A process that takes every free slot of a file's reader table and keeps them until it is
 * killed: what a crashed or SIGKILLed reader leaves behind. Prints {@code full N} when done.
 */
public final class ReaderSlotHog {
    private ReaderSlotHog() {}

    public static void main(String[] args) throws Exception {
        NativeLibrary.preferSystem();
        Env<ByteBuffer> env = Env.create().setMapSize(Environment.MIN_MAP_SIZE).setMaxReaders(126)
                .open(new File(args[0]), EnvFlags.MDB_NOSUBDIR, EnvFlags.MDB_NOTLS, EnvFlags.MDB_RDONLY_ENV);
        List<Txn<ByteBuffer>> held = new ArrayList<>();
        while (true) {
            try {
                held.add(env.txnRead());
            } catch (Env.ReadersFullException e) {
                break;
            }
        }
        System.out.println("full " + held.size());
        System.out.flush();
        System.in.read(); // until killed
    }
}
