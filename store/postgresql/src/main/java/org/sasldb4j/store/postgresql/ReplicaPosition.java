package org.sasldb4j.store.postgresql;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Properties;
import org.sasldb4j.store.StoreException;

/**
 * Where a replica stands in the database's change log, kept in the side file {@code <replica>.seq}
 * beside the LMDB replica (docs/replica.md, "The position file").
 *
 * <p>Why a side file: the replica keeps Cyrus's LMDB layout (the unnamed main database, keys
 * {@code authid\0realm\0property}), which a local libsasl reads too; a record of our own in it
 * would show up as a user, and a named database would change the layout libsasl opens. The file
 * is written after the LMDB transaction it describes commits: a crash in between leaves an older
 * position, and applying changes again from there is harmless (each one replaces a user's records
 * with the database's current ones).
 *
 * @param source the database's redacted address, so a replica pointed at another database is
 *     copied afresh rather than followed from a position that means nothing there
 * @param appliedSeq every change with {@code seq <= appliedSeq} is in the replica
 * @param syncedAt when the replica last agreed with the database
 */
record ReplicaPosition(String source, long appliedSeq, Instant syncedAt) {

    /** {@code <replica>.seq}. */
    static Path fileOf(Path replica) {
        return Path.of(replica + ".seq");
    }

    /**
     * The position recorded beside {@code replica}, or null when there is none (no file, or one
     * that cannot be read: the replica is then copied afresh).
     */
    static ReplicaPosition read(Path replica) {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(fileOf(replica), StandardCharsets.UTF_8)) {
            p.load(in);
            return new ReplicaPosition(p.getProperty("source", ""), Long.parseLong(p.getProperty("applied-seq").strip()),
                    Instant.parse(p.getProperty("synced-at").strip()));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Writes the position atomically (a temporary file, synced, renamed over the old one). */
    void write(Path replica) {
        Path target = fileOf(replica);
        Path tmp = Path.of(target + ".tmp");
        String text = "# sasldb4j replica position: the change log of " + source + " is applied up to applied-seq\n"
                + "# (docs/replica.md); to copy the database afresh, stop the daemon, delete the replica and this file\n"
                + "source=" + source.replace("\\", "\\\\") + "\n"
                + "applied-seq=" + appliedSeq + "\n"
                + "synced-at=" + syncedAt + "\n";
        try {
            Files.deleteIfExists(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new StoreException("cannot write the replica position " + target + ": " + e.getMessage()
                    + "; give the daemon write access to the replica's directory", e);
        }
    }
}
