package org.sasldb4j.auxprop.daemon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A test client for the Dovecot protocol: raw lines in and out, reads bounded in time. The bounds
 * only stop a hung test; they are never a measurement (a loaded machine may take seconds).
 */
final class DovecotClient implements AutoCloseable {
    /** How long a read waits by default before the test is declared hung. */
    static final long HANG_GUARD_MILLIS = 60_000;
    private static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-reader");
        t.setDaemon(true);
        return t;
    });
    final SocketChannel ch;
    private final ByteBuffer in = ByteBuffer.allocate(65536);

    DovecotClient(Path socket) throws IOException {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        in.flip();
    }

    /** Connects, reads the handshake up to DONE, and sends VERSION and CPID as Postfix does. */
    static DovecotClient postfix(Path socket) throws Exception {
        DovecotClient c = new DovecotClient(socket);
        c.send("VERSION\t1\t0\nCPID\t4242");
        List<String> hs = c.handshake();
        if (!hs.get(hs.size() - 1).equals("DONE")) {
            throw new IllegalStateException("no DONE: " + hs);
        }
        return c;
    }

    List<String> handshake() throws Exception {
        List<String> lines = new ArrayList<>();
        String l;
        do {
            l = readLine(HANG_GUARD_MILLIS);
            lines.add(l);
        } while (l != null && !l.equals("DONE"));
        return lines;
    }

    void send(String lines) throws IOException {
        sendRaw((lines + "\n").getBytes(StandardCharsets.UTF_8));
    }

    void sendRaw(byte[] b) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b);
        while (bb.hasRemaining()) {
            ch.write(bb);
        }
    }

    /** The next line, null at EOF; throws TimeoutException after {@code millis}. */
    String readLine(long millis) throws Exception {
        Future<String> f = READERS.submit(this::readLineBlocking);
        try {
            return f.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw e;
        }
    }

    String readLine() throws Exception {
        return readLine(HANG_GUARD_MILLIS);
    }

    private String readLineBlocking() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (b == '\n') {
                    return line.toString(StandardCharsets.UTF_8);
                }
                line.write(b);
            }
            in.clear();
            int n = ch.read(in);
            in.flip();
            if (n < 0) {
                return null;
            }
        }
    }

    /** True if the server closed the connection within {@code millis} (remaining lines skipped). */
    boolean closedWithin(long millis) throws Exception {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            String l;
            try {
                l = readLine(Math.max(1, end - System.currentTimeMillis()));
            } catch (TimeoutException e) {
                return false;
            } catch (java.util.concurrent.ExecutionException e) {
                return true;
            }
            if (l == null) {
                return true;
            }
        }
        return false;
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String unb64(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
