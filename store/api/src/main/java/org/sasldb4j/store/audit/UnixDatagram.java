package org.sasldb4j.store.audit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * Sends one datagram to a UNIX datagram socket, the way {@code syslog(3)} reaches {@code
 * /dev/log}. The JDK's UNIX-domain channels are stream-only, so this binds {@code socket},
 * {@code sendto} and {@code close} from libc with jnr-ffi (an optional dependency of the API,
 * which every tool and the daemon carry through the LMDB backend). Linux constants.
 */
final class UnixDatagram {
    static final int AF_UNIX = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 02000000;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int ENOENT = 2;
    static final int ECONNREFUSED = 111;
    /** {@code sizeof(sun_path)} on Linux. */
    static final int SUN_PATH = 108;

    /** The libc calls; jnr-ffi binds them by name. */
    public interface Calls {
        int socket(int domain, int type, int protocol);

        @ssize_t long sendto(int fd, @In byte[] buf, @size_t long len, int flags, @In byte[] addr, int addrlen);

        int close(int fd);
    }

    /** The outcome of one send. */
    enum Result { SENT, NO_SOCKET, FAILED }

    private static volatile Calls calls;

    private UnixDatagram() {}

    /** The bound calls, or null where libc or jnr-ffi is missing. */
    static Calls callsOrNull() {
        Calls c = calls;
        if (c == null) {
            try {
                c = LibraryLoader.create(Calls.class).load("c");
                calls = c;
            } catch (RuntimeException | LinkageError e) {
                return null;
            }
        }
        return c;
    }

    /** A {@code struct sockaddr_un} for {@code path}; empty if the path does not fit. */
    static byte[] address(String path) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length >= SUN_PATH || p.length == 0) {
            return new byte[0];
        }
        ByteBuffer b = ByteBuffer.allocate(2 + SUN_PATH).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_UNIX).put(p);
        return b.array();
    }

    /**
     * Sends {@code message} to the socket at {@code path}, never blocking (a full syslog queue
     * drops the record rather than stall a login).
     *
     * @return {@link Result#NO_SOCKET} if nothing listens there (no file, or no reader), with
     *     {@code errno} in {@code error[0]} for the other failures
     */
    static Result send(String path, byte[] message, String[] error) {
        Calls c = callsOrNull();
        byte[] addr = address(path);
        if (c == null) {
            error[0] = "the C library cannot be called from this Java runtime";
            return Result.FAILED;
        }
        if (addr.length == 0) {
            error[0] = "the socket path is empty or longer than " + (SUN_PATH - 1) + " bytes";
            return Result.FAILED;
        }
        int fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            error[0] = "socket() failed, errno " + errno(c);
            return Result.FAILED;
        }
        try {
            long n = c.sendto(fd, message, message.length, MSG_DONTWAIT | MSG_NOSIGNAL, addr, addr.length);
            if (n == message.length) {
                return Result.SENT;
            }
            int errno = errno(c);
            if (n < 0 && (errno == ENOENT || errno == ECONNREFUSED)) {
                return Result.NO_SOCKET;
            }
            error[0] = n < 0 ? "sendto() failed, errno " + errno : "sendto() sent " + n + " of " + message.length
                    + " bytes";
            return Result.FAILED;
        } finally {
            c.close(fd);
        }
    }

    private static int errno(Calls c) {
        return jnr.ffi.Runtime.getRuntime(c).getLastError();
    }
}
