package org.sasldb4j.auxprop.sasl;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;
import javax.security.sasl.SaslException;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.CanonicalUser;
import org.sasldb4j.auxprop.LoginDiagnosis;
import org.sasldb4j.store.secret.CramMd5Context;
import org.sasldb4j.store.secret.MechanismSecrets;
import org.sasldb4j.store.secret.Wipe;

/**
 * CRAM-MD5 server (RFC 2195) answering from the HMAC context, so it works with a stored
 * plaintext <em>or</em> a stored CRAM-MD5 context (the JDK's server needs the plaintext).
 *
 * <p>Challenge {@code <random.millis@serverName>}; response {@code user SP 32 hex digits}, split at
 * the <em>last</em> space as Cyrus does (a user name may contain spaces).
 *
 * <p><b>Security:</b> response bounded to 1024 + 33 bytes. An unknown user or disabled account
 * is checked against a throw-away context, so it costs the same as a wrong digest. CRAM-MD5 is
 * historic: it needs a password-equivalent secret and offers no mutual authentication.
 */
final class CramMd5Server extends AbstractServer {
    static final int MAX_RESPONSE = 1024 + 1 + 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Supplier<String> challengeSource;
    private byte[] challenge;

    CramMd5Server(AuxpropBridge bridge, String userRealm, String serverName) {
        this(bridge, userRealm, () -> newChallenge(serverName));
    }

    /** With a fixed challenge source: tests use it for the RFC 2195 vector. */
    CramMd5Server(AuxpropBridge bridge, String userRealm, Supplier<String> challengeSource) {
        super("CRAM-MD5", bridge, userRealm);
        this.challengeSource = challengeSource;
    }

    static String newChallenge(String serverName) {
        long r = RANDOM.nextLong() & Long.MAX_VALUE;
        return "<" + r + "." + System.currentTimeMillis() + "@" + (serverName == null ? "localhost" : serverName) + ">";
    }

    @Override
    byte[] step(byte[] response) throws SaslException {
        if (challenge == null) {
            if (response.length != 0) {
                throw new SaslException("CRAM-MD5: the client must not send an initial response");
            }
            challenge = challengeSource.get().getBytes(StandardCharsets.UTF_8);
            return challenge.clone();
        }
        Response r = parse(response);
        CanonicalUser user = canonical(r.user);
        Optional<LoginDiagnosis.Reason> why = whyNot(user);
        // Unknown, disabled, without a CRAM-MD5 secret: a decoy made at the cost of a real context.
        MechanismSecrets.Cram answer = user == null ? null : bridge.cramMd5(user);
        CramMd5Context context = answer != null ? answer.context() : MechanismSecrets.cramMd5Decoy();
        boolean known = answer != null && answer.usable();
        try {
            boolean ok = context.matches(challenge, r.digest) & known;
            if (!ok) {
                diagnose(why);
                throw failure();
            }
            succeed(user);
            return null;
        } finally {
            context.wipe();
        }
    }

    // Shaped like PlainServer.Parsed and its parse: each mechanism bounds and splits its own message,
    // and leaves its secret out of toString.
    record Response(String user, byte[] digest) {
        @Override
        public String toString() {
            return "Response[" + user + "]";
        }
    }

    static Response parse(byte[] m) throws SaslException {
        if (m.length == 0 || m.length > MAX_RESPONSE) {
            throw new SaslException("CRAM-MD5: response empty or longer than " + MAX_RESPONSE + " bytes");
        }
        int space = -1;
        for (int i = m.length - 1; i >= 0; i--) {
            if (m[i] == ' ') {
                space = i;
                break;
            }
        }
        if (space <= 0 || m.length - space - 1 != 32) {
            throw new SaslException("CRAM-MD5: response is not 'user SP 32 hex digits'");
        }
        for (int i = space + 1; i < m.length; i++) {
            if (!HexFormat.isHexDigit(m[i])) {
                throw new SaslException("CRAM-MD5: digest is not hexadecimal");
            }
        }
        String user = Utf8.decode(Arrays.copyOf(m, space), "CRAM-MD5 user name");
        return new Response(user, Arrays.copyOfRange(m, space + 1, m.length));
    }

    @Override
    public void dispose() {
        Wipe.bytes(challenge);
    }
}
