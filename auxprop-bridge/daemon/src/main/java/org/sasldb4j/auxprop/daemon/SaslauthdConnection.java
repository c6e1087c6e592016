package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sasldb4j.store.StrictUtf8;

/**
 * The answer to one saslauthd request, on a worker thread: one request, one reply ({@code OK} or
 * {@code NO}), then the server closes, as Cyrus's {@code ipc_unix.c} does. The request was
 * collected by {@link SaslauthdServer}; the reply is written without blocking, a {@code NO}
 * after the failure delay (by the timer).
 *
 * <p>The login is joined with a non-empty realm as {@code login@realm}, as {@code saslauthd -r}
 * does, and the password check splits it again at the first {@code @} ({@code saslpasswd} and
 * Cyrus's auxprop split there; libsasl split at the last one before sending), a login without
 * realm getting the default realm. So {@code testsaslauthd -u bob -r example.org} and
 * {@code -u bob@example.org} both mean {@code bob@example.org}.
 */
final class SaslauthdConnection implements Runnable {
    private static final Logger LOG = Logger.getLogger("org.sasldb4j.authd.saslauthd");
    /**
     * A temporary failure is told by closing the connection without a reply: the protocol has
     * only {@code OK} and {@code NO}, and libsasl turns every {@code NO} into a wrong password
     * (Postfix: {@code 535}), but a connection closed before the reply into {@code SASL_FAIL},
     * which Postfix answers with {@code 454 4.7.0} (docs/postfix.md, "Temporary failures").
     */
    static final String TEMP_REPLY = "";

    private final SocketChannel channel;
    private final SaslauthdRequest request;
    private final DaemonContext ctx;
    private final VerificationCache cache;
    /** When the whole request had arrived ({@link DaemonContext#now}); answers are timed from here. */
    private final long arrivedNanos;
    /**
     * How much longer the reply must wait, decided with the outcome (before its event is told).
     * Written and read by the worker thread; volatile only so that no reader could see half a long.
     */
    private volatile long waitNanos;

    /**
     * @param channel the client, in non-blocking mode, its request already read
     * @param request the request; wiped once answered
     */
    SaslauthdConnection(SocketChannel channel, SaslauthdRequest request, DaemonContext ctx) {
        this.channel = channel;
        this.request = request;
        this.ctx = ctx;
        this.cache = ctx.cache();
        this.arrivedNanos = ctx.now();
    }

    @Override
    public void run() {
        String reply;
        try {
            reply = answer(request);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "saslauthd connection: unexpected " + Failures.describe(e), e);
            reply = TEMP_REPLY;
        } finally {
            request.wipe();
        }
        if (waitNanos > 0 && !reply.equals(TEMP_REPLY)) {
            String r = reply;
            try {
                // The timer only writes without blocking, then closes.
                ctx.timer().schedule(() -> replyAndClose(r), waitNanos, TimeUnit.NANOSECONDS);
                return;
            } catch (RejectedExecutionException e) {
                // Shutting down: answer now.
            }
        }
        replyAndClose(reply);
    }

    private void replyAndClose(String reply) {
        writeNow(channel, reply);
        try {
            channel.close();
        } catch (IOException e) {
            // Already gone.
        }
    }

    /**
     * Writes a reply on a non-blocking channel, once: a reply is a few bytes and the client has
     * been sent nothing before, so it fits its socket buffer; a client that made it not fit gets
     * a truncated reply, never a thread of ours.
     */
    static void writeNow(SocketChannel ch, String text) {
        if (text.equals(TEMP_REPLY)) {
            return; // closed unanswered: temporary
        }
        try {
            ch.write(SaslauthdRequest.reply(text));
        } catch (IOException e) {
            LOG.finer(() -> "saslauthd client gone before its reply: " + e);
        }
    }

    /** {@code OK} or {@code NO [text]}; logs the attempt. */
    private String answer(SaslauthdRequest req) {
        String login = StrictUtf8.decodeOrNull(req.login);
        String realmField = StrictUtf8.decodeOrNull(req.realm);
        AuthContext actx = new AuthContext("saslauthd", StrictUtf8.decodeOrNull(req.service), StrictUtf8.decodeOrNull(req.clientAddress));
        if (login == null || realmField == null) {
            failedAfterDelay(actx, null);
            ended(LoginEvent.ended(actx, "saslauthd", null, LoginResult.FAIL, FailureReason.MALFORMED_REQUEST));
            return "NO";
        }
        actx.login(login.isEmpty() ? null : realmField.isEmpty() ? login : login + "@" + realmField);
        if (login.isEmpty()) {
            ended(LoginEvent.ended(actx, "saslauthd", null, LoginResult.FAIL, FailureReason.MALFORMED_REQUEST));
            return "NO NULL login received";
        }
        if (req.password.length == 0) {
            ended(LoginEvent.ended(actx, "saslauthd", actx.login(), LoginResult.FAIL, FailureReason.MALFORMED_REQUEST));
            return "NO NULL password received";
        }
        String id = actx.login();
        // The bytes as sent, as PLAIN gets them: a legacy non-UTF-8 plaintext works on both.
        byte[] password = req.password.clone();
        CheckResult result;
        try {
            if (id.indexOf('\0') >= 0) {
                // A NUL no user name can hold.
                actx.diagnose(FailureReason.MALFORMED_REQUEST);
                result = CheckResult.FAIL;
            } else if (cache == null) {
                result = limitedCheck(id, password, actx);
            } else {
                // Read before the check: a change committed in between makes the entry unusable, never wrong.
                byte[] state = ctx.backend().passwords().secretsState(id);
                try {
                    if (cache.contains(id, password, state)) {
                        result = CheckResult.OK;
                    } else {
                        result = limitedCheck(id, password, actx);
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
                waitNanos = ctx.successWaitNanos(arrivedNanos, actx);
                ended(LoginEvent.ok(actx, "saslauthd", id));
                return "OK";
            }
            case TEMP_FAIL -> {
                ended(LoginEvent.temporary(actx, "saslauthd", id, null));
                return TEMP_REPLY;
            }
            default -> {
                failedAfterDelay(actx, id);
                ended(LoginEvent.ended(actx, "saslauthd", id, LoginResult.FAIL,
                        actx.diagnosisOr(FailureReason.UNSPECIFIED)));
                return "NO";
            }
        }
    }

    /** A plain {@code NO}: answered at arrival + the failure delay or the throttle's penalty. */
    private void failedAfterDelay(AuthContext actx, String login) {
        waitNanos = ctx.failureWaitNanos(arrivedNanos, actx, login);
    }

    private void ended(LoginEvent event) {
        ctx.logins().finished(event);
    }

    /** The check, inside the hashing budget when there is one. */
    private CheckResult limitedCheck(String id, byte[] password, AuthContext actx) {
        WorkLimiter limiter = ctx.limiter();
        if (limiter == null) {
            return ctx.backend().passwords().check(id, password, actx.lookup());
        }
        try (WorkLimiter.Lease lease = limiter.acquire()) {
            return ctx.backend().passwords().check(id, password, actx.lookup());
        } catch (TemporaryFailureException e) {
            LOG.warning(() -> "saslauthd: " + e.getMessage());
            return CheckResult.TEMP_FAIL;
        }
    }

}
