package org.sasldb4j.store.bdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.BitSet;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.StoreException;

/**
 * Positional page reads for one pass over a Berkeley DB file, with the checks every page access
 * needs: the page exists (truncation), and no page is visited twice (a loop in a chain, or two
 * chains sharing a page, would otherwise repeat records or never end).
 *
 * <p>Positional reads instead of a memory map: a map turns a file truncated by someone else
 * during the pass into a JVM-level fault instead of an exception.
 */
final class PageFile {
    private final FileChannel channel;
    private final Meta meta;
    private final DamageSink sink;
    /** Whole pages present in the file. */
    private final long filePages;
    /** Pages that may be referenced: those the meta page declares and the file holds. */
    private final long limit;
    private final BitSet visited = new BitSet();

    PageFile(FileChannel channel, long fileSize, Meta meta, DamageSink sink) {
        this.channel = channel;
        this.meta = meta;
        this.sink = sink;
        this.filePages = fileSize / meta.pageSize;
        this.limit = Math.min(filePages, meta.lastPgno + 1);
    }

    /**
     * The size checks of docs/reference/cyrus-sasldb.md §5.8: size a multiple of the page size, and every page up to the
     * meta page's last_pgno present. Reported through the sink (thrown unless salvaging).
     */
    void checkSize(long fileSize) {
        if (fileSize % meta.pageSize != 0) {
            sink.skip(sink.damage("file size " + fileSize + " is not a multiple of the page size " + meta.pageSize
                    + " (truncated or appended to)"));
        }
        if (meta.lastPgno >= filePages) {
            String missing = filePages == meta.lastPgno ? "page " + filePages
                    : "pages " + filePages + " to " + meta.lastPgno;
            sink.skip(sink.damage("truncated: the meta page says the last page is " + meta.lastPgno
                    + " but the file holds only " + filePages + " page(s) of " + meta.pageSize + " bytes; "
                    + missing + " missing"));
        }
    }

    Meta meta() {
        return meta;
    }

    int pageSize() {
        return meta.pageSize;
    }

    int overhead() {
        return meta.overhead;
    }

    /** Number of pages that may be referenced (pages 0 to limit - 1). */
    long limit() {
        return limit;
    }

    /**
     * Reads page {@code pgno}, referenced from {@code from}, and marks it visited.
     *
     * @throws DamagedStoreException if the page does not exist or was visited before
     */
    Page visit(long pgno, String from) {
        if (pgno == 0 || pgno >= limit) {
            throw sink.damage(from, refusal(pgno));
        }
        if (pgno > Integer.MAX_VALUE) {
            throw sink.damage(from, "refers to page " + pgno + ", beyond what this reader handles");
        }
        int bit = (int) pgno;
        if (visited.get(bit)) {
            throw sink.damage(from, "refers to page " + pgno + " a second time (a loop or a shared page)");
        }
        visited.set(bit);
        return read(pgno);
    }

    private String refusal(long pgno) {
        if (pgno == 0) {
            return "refers to page 0, the meta page";
        }
        if (pgno <= meta.lastPgno) {
            return "refers to page " + pgno + ", which is missing: the file ends after page " + (filePages - 1)
                    + " (truncated)";
        }
        return "refers to page " + pgno + ", beyond the last page " + meta.lastPgno;
    }

    private Page read(long pgno) {
        byte[] data = new byte[meta.pageSize];
        ByteBuffer dst = ByteBuffer.wrap(data);
        long pos = pgno * meta.pageSize;
        try {
            while (dst.hasRemaining()) {
                int n = channel.read(dst, pos + dst.position());
                if (n < 0) {
                    // The file shrank after the size check (someone else truncated it).
                    throw sink.damage("page " + pgno, "the file ended while reading this page");
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot read " + sink.path() + " at page " + pgno + ": " + e.getMessage(), e);
        }
        return new Page(pgno, data, meta.order);
    }

    /** Checks the header fields every visited page must have right. */
    void checkHeader(Page p, int expectedType, int altType) {
        if (p.pgnoField() != p.number()) {
            throw sink.damage("page " + p.number(), "page header says it is page " + p.pgnoField());
        }
        if (p.type() != expectedType && p.type() != altType) {
            throw sink.damage("page " + p.number(), "page has type " + Page.typeName(p.type()) + ", expected "
                    + Page.typeName(expectedType));
        }
    }
}
