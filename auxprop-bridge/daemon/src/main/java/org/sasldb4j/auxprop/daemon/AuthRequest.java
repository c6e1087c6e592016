package org.sasldb4j.auxprop.daemon;

import java.util.concurrent.ScheduledFuture;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

/**
 * One Dovecot {@code AUTH} request in progress on a connection: its id, mechanism, SASL server
 * and lifetime.
 *
 * <p>Ownership passes by removal from the connection's pending map: the reader thread takes a
 * request out before working on it, the expiry task only acts if it can take it out first, so a
 * request is never used and disposed at the same time.
 */
final class AuthRequest {
    final long id;
    final Mechanism mechanism;
    final AuthContext context;
    final SaslServer server;
    /** The client accepts final server data on OK ({@code final-resp-ok}); Postfix does not. */
    final boolean finalRespOk;
    /** Reads the login name for the log, and spots the step that verifies a password. */
    final LoginSniffer sniffer;
    /** Order of arrival on the connection: the smallest is the oldest. */
    final long sequence;
    private final long deadline;
    /** The mechanism finished with data the client must see first; the next CONT is its ack. */
    boolean awaitingFinalAck;
    ScheduledFuture<?> expiry;
    /**
     * When the client's latest message of this exchange arrived ({@link DaemonContext#now}): a
     * failure is answered at this time plus the delay, whatever the work in between cost.
     */
    long arrivedNanos;

    AuthRequest(long id, Mechanism mechanism, AuthContext context, SaslServer server, boolean finalRespOk,
            long lifetimeNanos, long sequence) {
        this.sequence = sequence;
        this.id = id;
        this.mechanism = mechanism;
        this.context = context;
        this.server = server;
        this.finalRespOk = finalRespOk;
        this.sniffer = new LoginSniffer(mechanism.name());
        this.deadline = System.nanoTime() + lifetimeNanos;
    }

    /** True once the request has lived longer than the request timeout. */
    boolean expired() {
        return System.nanoTime() - deadline > 0;
    }

    /** Stops the expiry timer and releases the mechanism's state (which may hold key material). */
    void dispose() {
        ScheduledFuture<?> e = expiry;
        if (e != null) {
            e.cancel(false);
        }
        try {
            server.dispose();
        } catch (SaslException | RuntimeException ignored) {
            // Nothing to do: the request is over either way.
        }
    }

    @Override
    public String toString() {
        return "request " + id + " " + mechanism.name();
    }
}
