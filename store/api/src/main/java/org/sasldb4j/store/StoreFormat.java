package org.sasldb4j.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What a file is, recognised from its content, never from its name.
 */
public enum StoreFormat {
    /** No file at the path. */
    MISSING("no file"),
    /** A directory, not a file. */
    DIRECTORY("a directory"),
    /** A file of zero bytes (may be initialised as a store). */
    EMPTY("an empty file"),
    /** An LMDB data file (sasldb4j's default, Cyrus's LMDB sasldb). */
    LMDB("an LMDB sasldb"),
    /** A SQLite 3 database. */
    SQLITE("a SQLite sasldb"),
    /** A Berkeley DB hash database: Cyrus SASL's sasldb2 on Debian and most systems. */
    BDB_HASH("a Berkeley DB (hash) sasldb2"),
    /** A Berkeley DB btree database. */
    BDB_BTREE("a Berkeley DB (btree) database"),
    /** The text output of {@code db_dump} / {@code db5.3_dump}. */
    DB_DUMP("a db_dump text dump"),
    /** The ASCII output of {@code gdbm_dump}. */
    GDBM_DUMP("a gdbm_dump text dump"),
    /** A store on a PostgreSQL server (never detected from a file). */
    POSTGRESQL("a PostgreSQL sasldb4j store"),
    /** Anything else: text, damaged, or an unknown binary format. */
    UNKNOWN("not a file sasldb4j recognises");

    static final int LMDB_MAGIC = 0xBEEFC0DE;
    static final int BDB_HASH_MAGIC = 0x00061561;
    static final int BDB_BTREE_MAGIC = 0x00053162;
    private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private final String description;

    StoreFormat(String description) {
        this.description = description;
    }

    /** Words for messages, e.g. "a Berkeley DB (hash) sasldb2". */
    public String description() {
        return description;
    }

    /** True for the formats sasldb4j opens as a read-write store. */
    public boolean isStore() {
        return this == LMDB || this == SQLITE || this == POSTGRESQL;
    }

    /**
     * Recognises the file at {@code path} from its first bytes.
     *
     * @throws StoreException if the file exists but cannot be read
     */
    public static StoreFormat detect(Path path) {
        if (Files.isDirectory(path)) {
            return DIRECTORY;
        }
        byte[] head = new byte[128];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            return MISSING;
        } catch (IOException e) {
            throw new StoreException("cannot read " + path + ": " + describe(e), e);
        }
        return detect(head, n);
    }

    /**
     * True if {@code path} is a regular file (not a link) that starts as a SQLite database;
     * reads without following a link, so it may run before the directory checks.
     */
    static boolean peekSqlite(Path path) {
        try {
            FileStat s = FileStat.of(path);
            if (s == null || !s.isRegular()) {
                return false;
            }
            byte[] head = new byte[SQLITE_HEADER.length];
            try (java.nio.channels.SeekableByteChannel c = Files.newByteChannel(path,
                    java.nio.file.StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                int n = c.read(ByteBuffer.wrap(head));
                return n == head.length && startsWith(head, n, SQLITE_HEADER);
            }
        } catch (IOException e) {
            return false;
        }
    }

    /** Recognises a file from its first {@code n} bytes (at least 128 where the file has them). */
    static StoreFormat detect(byte[] head, int n) {
        if (n == 0) {
            return EMPTY;
        }
        if (startsWith(head, n, SQLITE_HEADER)) {
            return SQLITE;
        }
        if (n >= 24 && (magicAt(head, 16) == LMDB_MAGIC)) {
            return LMDB;
        }
        if (n >= 26) {
            int m = magicAt(head, 12);
            if (m == BDB_HASH_MAGIC) {
                return BDB_HASH;
            }
            if (m == BDB_BTREE_MAGIC) {
                return BDB_BTREE;
            }
        }
        String text = new String(head, 0, n, StandardCharsets.ISO_8859_1);
        if (text.startsWith("VERSION=")) {
            return DB_DUMP;
        }
        if (text.startsWith("# GDBM dump file")) {
            return GDBM_DUMP;
        }
        return UNKNOWN;
    }

    /** The 32-bit value at {@code offset} if it is a known magic in either byte order, else 0. */
    private static int magicAt(byte[] b, int offset) {
        ByteBuffer buf = ByteBuffer.wrap(b, offset, 4);
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            int v = buf.order(order).getInt(offset);
            if (v == LMDB_MAGIC || v == BDB_HASH_MAGIC || v == BDB_BTREE_MAGIC) {
                return v;
            }
        }
        return 0;
    }

    private static boolean startsWith(byte[] b, int n, byte[] prefix) {
        if (n < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** A short reason for an I/O failure, without the stack trace. */
    static String describe(IOException e) {
        String name = e.getClass().getSimpleName();
        return switch (name) {
            case "AccessDeniedException" -> "permission denied";
            case "NoSuchFileException" -> "no such file";
            case "FileSystemException" -> e.getMessage();
            default -> e.getMessage() == null ? name : e.getMessage();
        };
    }
}
