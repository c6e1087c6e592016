package org.sasldb4j.store.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * A private syslog: a real UNIX datagram socket bound at a path, standing in for {@code /dev/log}
 * (point {@code SASLDB4J_SYSLOG_SOCKET} at it). The senders finish before {@link #drain} reads
 * what is queued, so no waiting is needed. Shared with the tools' tests (test-jar).
 */
public final class SyslogReceiver implements AutoCloseable {
    /** The calls the receiver needs. */
    public interface Calls {
        int socket(int domain, int type, int protocol);

        int bind(int fd, @In byte[] addr, int addrlen);

        @ssize_t long recv(int fd, @Out byte[] buf, @size_t long len, int flags);

        int close(int fd);
    }

    private static final Calls C = LibraryLoader.create(Calls.class).load("c");
    private final Path path;
    private final int fd;

    /** Binds a datagram socket at {@code path} (which must not exist). */
    public SyslogReceiver(Path path) {
        this.path = path;
        byte[] addr = UnixDatagram.address(path.toString());
        if (addr.length == 0) {
            throw new IllegalArgumentException("socket path too long: " + path);
        }
        fd = C.socket(UnixDatagram.AF_UNIX, UnixDatagram.SOCK_DGRAM | UnixDatagram.SOCK_CLOEXEC, 0);
        if (fd < 0 || C.bind(fd, addr, addr.length) != 0) {
            throw new IllegalStateException("cannot bind a datagram socket at " + path + ", errno "
                    + jnr.ffi.Runtime.getRuntime(C).getLastError());
        }
    }

    public Path path() {
        return path;
    }

    /** Every datagram queued so far, in arrival order. */
    public List<String> drain() {
        List<String> out = new ArrayList<>();
        byte[] buf = new byte[65536];
        for (;;) {
            long n = C.recv(fd, buf, buf.length, UnixDatagram.MSG_DONTWAIT);
            if (n < 0) {
                return out;
            }
            out.add(new String(buf, 0, (int) n, StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() throws IOException {
        C.close(fd);
        Files.deleteIfExists(path);
    }
}
