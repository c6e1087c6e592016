package org.sasldb4j.store.bdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.DamagedStoreException;

/**
 * A hostile Berkeley DB file: a real meta page claiming 2 million hash buckets, and 8 GB of holes
 * behind it. It used to be walked page by page for minutes; its geometry is now refused before
 * any page is read: opening, which reads only the meta page, refuses it.
 */
@Tag("attack")
class SparseFileTest {
    @TempDir
    Path dir;

    private Path sparse(long size) throws IOException {
        byte[] head;
        try (InputStream in = getClass().getResourceAsStream("/corpus/small.sasldb2")) {
            head = in.readAllBytes();
        }
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        int pageSize = b.getInt(20);
        long pages = size / pageSize;
        b.putInt(32, (int) (pages - 1)); // last_pgno
        b.putInt(72, (int) (pages - 2)); // max_bucket
        b.putInt(76, (1 << 21) - 1); // high_mask
        b.putInt(80, (1 << 20) - 1); // low_mask
        for (int i = 2; i < 32; i++) {
            b.putInt(96 + 4 * i, 1); // spares: every bucket on a page of the file
        }
        Path p = dir.resolve("sparse.sasldb2");
        Files.write(p, head);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    @Test
    void eightGigabytesOfHolesAreRefusedBeforeAnyPageIsRead() throws IOException {
        Path p = sparse(8L << 30);
        DamagedStoreException e = assertThrows(DamagedStoreException.class, () -> {
            try (var source = ForeignFiles.open(p, false)) {
                source.forEach(x -> { });
            }
        });
        assertTrue(e.getMessage().contains("sparse"), e.getMessage());
    }

    @Test
    void theRealFileIsNotSparse() throws IOException {
        Path p = dir.resolve("small.sasldb2");
        try (InputStream in = getClass().getResourceAsStream("/corpus/small.sasldb2")) {
            Files.copy(in, p);
        }
        assertEquals(Files.size(p), Holes.dataBytes(p, Files.size(p)));
    }

    @Test
    void holesAreCounted() throws IOException {
        Path p = sparse(256L << 20);
        long data = Holes.dataBytes(p, Files.size(p));
        assertTrue(data < 1 << 20, "data bytes " + data);
    }
}
