package org.sasldb4j.store.bdb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.ForeignFormatException;
import org.sasldb4j.store.MalformedKeyException;
import org.sasldb4j.store.RecordSource;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StoreFormat;
import org.sasldb4j.store.StoreNotFoundException;

/**
 * Reads the sasldb files sasldb4j migrates from, without libdb or any native code: Berkeley DB
 * hash and btree databases (either byte order, pages of 512 to 65536 bytes), the text output of
 * {@code db_dump}/{@code db5.3_dump} (with or without {@code -p}), and the ASCII output of
 * {@code gdbm_dump}.
 *
 * <p>Every record is handed over as stored, including keys with an empty authid; deciding what
 * to copy is the caller's business. Berkeley DB files come in bucket order (hash; the order of
 * {@code db_dump}) or key order (btree); dumps in file order.
 *
 * <p><b>Damage.</b> Nothing in the file is trusted: page numbers, lengths and offsets are checked
 * before use, chains are checked for loops, and memory is bounded by the file size. A problem is
 * a {@link DamagedStoreException} whose message names the file, the page (or dump line) and what
 * is wrong. A key without exactly two NUL bytes is a {@link MalformedKeyException}, always handed
 * to the {@code onDamage} consumer of {@link RecordSource#forEach(java.util.function.Consumer,
 * java.util.function.Consumer)} and skipped. Other damage:
 * <ul>
 *   <li>by default ends the pass with the exception (a truncated Berkeley DB file, or one whose
 *       size is not a multiple of its page size, already fails in {@link #open});
 *   <li>in salvage mode goes to {@code onDamage}, and the reader goes on with every part of the
 *       file it can still reach (for a truncated file: all records on the pages present).
 * </ul>
 * Damage that leaves nothing readable (a bad meta page, a dump header that makes no sense) is
 * thrown in both modes. For dumps, truncation is noticed only at the end of the pass, after the
 * records before it were delivered: do not commit before {@code forEach} returns.
 */
public final class ForeignFiles {
    private ForeignFiles() {}

    /**
     * Opens a foreign sasldb file for reading; its kind is recognised from its content.
     *
     * @param path the file
     * @param salvage true to read past damage, reporting each skipped part, instead of stopping
     * @return a source of the file's records; close it
     * @throws StoreNotFoundException if there is no file at {@code path}
     * @throws DamagedStoreException if the file is a Berkeley DB file whose meta page is damaged
     *     (bad magic, page size...), or, without salvage, which is truncated or of a size that is
     *     not a multiple of its page size
     * @throws ForeignFormatException if the file is none of the formats read here (empty, text,
     *     a directory, or a sasldb4j LMDB or SQLite store, which {@code CredentialStore} opens)
     * @throws StoreException if the file cannot be read
     */
    public static RecordSource open(Path path, boolean salvage) {
        StoreFormat format = StoreFormat.detect(path);
        switch (format) {
            case BDB_HASH:
            case BDB_BTREE:
                return new BdbSource(path, salvage);
            case DB_DUMP:
                return new DbDumpSource(path, salvage);
            case GDBM_DUMP:
                return new GdbmDumpSource(path, salvage);
            case MISSING:
                throw new StoreNotFoundException(path + ": no such file");
            case UNKNOWN:
                if (looksLikeDamagedBdb(path)) {
                    throw new DamagedStoreException(path + ": page 0: bad magic number: a Berkeley DB meta page"
                            + " (by its page size and type) without the hash or btree magic");
                }
                throw new ForeignFormatException(format, path + " is " + format.description()
                        + ": not a Berkeley DB database, db_dump or gdbm_dump output");
            default:
                throw new ForeignFormatException(format, path + " is " + format.description()
                        + ", not a Berkeley DB database, db_dump or gdbm_dump output");
        }
    }

    /**
     * True if the file has a Berkeley DB meta page apart from its magic: a plausible page size
     * and the hash or btree meta page type. Such a file is damaged, not foreign.
     */
    static boolean looksLikeDamagedBdb(Path path) {
        byte[] head = new byte[26];
        try (InputStream in = Files.newInputStream(path)) {
            if (in.readNBytes(head, 0, head.length) < head.length) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        int type = head[25] & 0xff;
        if (type != 8 && type != 9) {
            return false;
        }
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            int size = ByteBuffer.wrap(head).order(order).getInt(20);
            if (size >= 512 && size <= 65536 && Integer.bitCount(size) == 1) {
                return true;
            }
        }
        return false;
    }
}
