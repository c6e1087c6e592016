package org.sasldb4j.auxprop.daemon;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection speaking the saslauthd protocol: one request, one reply ({@code OK} or
 * {@code NO}), then the server closes, as Cyrus's {@code ipc_unix.c} does.
 *
 * <p>The login is joined with a non-empty realm as {@code login@realm}, as {@code saslauthd -r}
 * does, and the password check splits it again at the first {@code @} ({@code saslpasswd} and
 * Cyrus's auxprop split there; libsasl split at the last one before sending), a login without
 * realm getting the default realm. So {@code testsaslauthd -u bob -r example.org} and
 * {@code -u bob@example.org} both mean {@code bob@example.org}.
 */
final class SaslauthdConnection implements Runnable {
    private static final Logger LOG = Logger.getLogger("org.sasldb4j.authd.saslauthd");

    private final ByteChannel channel;
    private final DaemonContext ctx;
    private final Watchdog.Guard guard;
    private final VerificationCache cache;

    SaslauthdConnection(ByteChannel channel, DaemonContext ctx) {
        this.channel = channel;
        this.ctx = ctx;
        this.cache = ctx.cache();
        this.guard = ctx.watchdog().guard(channel);
    }

    @Override
    public void run() {
        boolean handedOff = false;
        try {
            // One deadline for the whole request: a peer trickling bytes cannot hold a thread.
            guard.arm(ctx.settings().ioTimeout());
            SaslauthdRequest req;
            try {
                req = SaslauthdRequest.read(channel, ctx.settings().saslauthdClientAddress() ? 5 : 4);
            } catch (SaslauthdRequest.FieldTooLongException e) {
                LOG.warning(() -> "saslauthd request refused: " + e.getMessage());
                send("NO");
                drain();
                return;
            } finally {
                guard.disarm();
            }
            String reply;
            try {
                reply = answer(req);
            } finally {
                req.wipe();
            }
            if (reply.equals("NO") && !ctx.settings().failureDelay().isZero()) {
                handedOff = sendLater(reply);
                if (handedOff) {
                    return;
                }
            }
            send(reply);
        } catch (EOFException e) {
            LOG.finer("saslauthd client closed before its request was complete");
        } catch (IOException e) {
            LOG.fine(() -> "saslauthd connection: " + (guard.fired() ? "timed out" : e.toString()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "saslauthd connection: unexpected " + Failures.describe(e), e);
        } finally {
            if (!handedOff) {
                close();
            }
        }
    }

    /** {@code OK} or {@code NO [text]}; logs the attempt. */
    private String answer(SaslauthdRequest req) {
        String login = utf8(req.login);
        String realmField = utf8(req.realm);
        AuthContext actx = new AuthContext("saslauthd", utf8(req.service), utf8(req.clientAddress), false);
        if (login == null || realmField == null) {
            AuthLog.authentication(actx, "saslauthd", null, "fail");
            return "NO";
        }
        actx.login(login.isEmpty() ? null : realmField.isEmpty() ? login : login + "@" + realmField);
        if (login.isEmpty()) {
            AuthLog.authentication(actx, "saslauthd", null, "fail");
            return "NO NULL login received";
        }
        if (req.password.length == 0) {
            AuthLog.authentication(actx, "saslauthd", actx.login(), "fail");
            return "NO NULL password received";
        }
        String id = actx.login();
        // The bytes as sent, as PLAIN gets them: a legacy non-UTF-8 plaintext works on both.
        byte[] password = req.password.clone();
        CheckResult result;
        try {
            if (id.indexOf('\0') >= 0) {
                // A NUL no user name can hold.
                result = CheckResult.FAIL;
            } else if (cache == null) {
                result = limitedCheck(id, password);
            } else {
                // Read before the check: a change committed in between makes the entry unusable, never wrong.
                byte[] state = ctx.backend().passwords().secretsState(id);
                try {
                    if (cache.contains(id, password, state)) {
                        result = CheckResult.OK;
                    } else {
                        result = limitedCheck(id, password);
                        if (result == CheckResult.OK) {
                            cache.put(id, password, state);
                        }
                    }
                } finally {
                    Arrays.fill(state, (byte) 0);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "password check failed: " + Failures.describe(e), e);
            result = CheckResult.TEMP_FAIL;
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        switch (result) {
            case OK -> {
                AuthLog.authentication(actx, "saslauthd", id, "ok");
                return "OK";
            }
            case TEMP_FAIL -> {
                AuthLog.authentication(actx, "saslauthd", id, "tempfail");
                // libsasl reads only the first two bytes; the text is for humans with testsaslauthd.
                return "NO temporary failure";
            }
            default -> {
                AuthLog.authentication(actx, "saslauthd", id, "fail");
                return "NO";
            }
        }
    }

    /** The check, inside the hashing budget when there is one. */
    private CheckResult limitedCheck(String id, byte[] password) {
        WorkLimiter limiter = ctx.limiter();
        if (limiter == null) {
            return ctx.backend().passwords().check(id, password);
        }
        try (WorkLimiter.Lease lease = limiter.acquire()) {
            return ctx.backend().passwords().check(id, password);
        } catch (TemporaryFailureException e) {
            LOG.warning(() -> "saslauthd: " + e.getMessage());
            return CheckResult.TEMP_FAIL;
        }
    }

    private boolean sendLater(String reply) {
        try {
            ctx.timer().schedule(() -> {
                try {
                    send(reply);
                } catch (IOException e) {
                    // The client gave up waiting.
                } finally {
                    close();
                }
            }, ctx.settings().failureDelay().toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void send(String text) throws IOException {
        ByteBuffer b = SaslauthdRequest.reply(text);
        guard.arm(ctx.settings().ioTimeout());
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } finally {
            guard.disarm();
        }
    }

    /**
     * Reads and drops what the client still sends (the rest of an over-long request), briefly:
     * closing with unread input makes the kernel reset the connection, and the client would lose
     * the {@code NO} it has not read yet.
     */
    private void drain() {
        try {
            if (channel instanceof java.nio.channels.SocketChannel sc) {
                sc.shutdownOutput();
            }
            ByteBuffer sink = ByteBuffer.allocate(4096);
            int total = 0;
            guard.arm(java.time.Duration.ofMillis(Math.min(1000, ctx.settings().ioTimeout().toMillis())));
            while (total < 4 * SaslauthdRequest.MAX_FIELD * 64) {
                sink.clear();
                int n = channel.read(sink);
                if (n < 0) {
                    break;
                }
                total += n;
            }
        } catch (IOException e) {
            // The client went away or stalled; closing is all that is left.
        } finally {
            guard.disarm();
        }
    }

    private void close() {
        guard.close();
        try {
            channel.close();
        } catch (IOException e) {
            // Already gone.
        }
    }

    /** Strict UTF-8, or null. */
    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

}
