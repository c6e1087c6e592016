package org.sasldb4j.auxprop.sasl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;
import javax.security.sasl.SaslException;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.CanonicalUser;
import org.sasldb4j.auxprop.LoginDiagnosis;
import org.sasldb4j.store.secret.MechanismSecrets;
import org.sasldb4j.store.secret.ScramKeys;
import org.sasldb4j.store.secret.ScramVariant;
import org.sasldb4j.store.secret.Wipe;

/**
 * SCRAM-SHA-1 / SCRAM-SHA-256 server (RFC 5802, RFC 7677) from stored keys or a plaintext
 * (see {@link AuxpropBridge#scramKeys}; keys derived from a plaintext use its SASLprep form).
 *
 * <p>Channel binding: none is offered (no {@code -PLUS} mechanism), so GS2 flags {@code n} and
 * {@code y} are accepted and {@code p=} fails with {@code channel-binding-not-supported}; the
 * {@code c=} attribute must repeat the GS2 header exactly. A mandatory extension ({@code m=})
 * fails. The server nonce is 24 random bytes in base64 appended to the client's.
 *
 * <p><b>Security:</b> messages bounded to {@link ScramMessages#MAX_MESSAGE} bytes. An unknown
 * user gets decoy keys with a per-user stable salt, a disabled account its own keys marked
 * unusable, each at the cost of one key derivation ({@link AuxpropBridge#scram}), so the
 * exchange looks and takes the same until the proof fails. The proof is checked in constant time; keys are wiped when the
 * exchange ends.
 */
final class ScramServer extends AbstractServer {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ScramVariant variant;
    private final Supplier<String> serverNonceSource;
    private ScramMessages.ClientFirst first;
    private String serverFirst;
    private String nonce;
    private ScramKeys keys;
    private boolean known;
    private CanonicalUser user;
    private boolean waitingForFirst;
    private Optional<LoginDiagnosis.Reason> why = Optional.empty();

    ScramServer(ScramVariant variant, AuxpropBridge bridge, String userRealm) {
        this(variant, bridge, userRealm, ScramServer::randomNonce);
    }

    /** With a fixed server nonce source: tests use it for the RFC 5802 / 7677 vectors. */
    ScramServer(ScramVariant variant, AuxpropBridge bridge, String userRealm, Supplier<String> serverNonceSource) {
        super(variant.mechanism(), bridge, userRealm);
        this.variant = variant;
        this.serverNonceSource = serverNonceSource;
    }

    static String randomNonce() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b); // no ',' in the base64 alphabet
    }

    @Override
    byte[] step(byte[] response) throws SaslException {
        if (first == null) {
            if (response.length == 0 && !waitingForFirst) {
                waitingForFirst = true;
                return new byte[0];
            }
            return serverFirst(response);
        }
        return serverFinal(response);
    }

    private byte[] serverFirst(byte[] response) throws SaslException {
        first = ScramMessages.parseClientFirst(response);
        user = canonical(first.username());
        why = whyNot(user);
        if (user != null) {
            // Known, unknown, disabled: the same lookup and one key derivation, so the same time.
            MechanismSecrets.Scram answer = bridge.scram(user, variant);
            keys = answer.keys();
            known = answer.usable();
        } else {
            // A name that does not canonicalise still gets a well-formed answer (decoy of a fixed name).
            keys = bridge.scramDecoy(bridge.canonicalize("unknown", "").orElseThrow(), variant);
            known = false;
        }
        nonce = first.clientNonce() + serverNonceSource.get();
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(keys.salt()) + ",i=" + keys.iterations();
        return serverFirst.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] serverFinal(byte[] response) throws SaslException {
        ScramMessages.ClientFinal fin = ScramMessages.parseClientFinal(response);
        byte[] cb = ScramMessages.base64(fin.channelBinding(), "channel binding");
        if (!MessageDigest.isEqual(cb, first.gs2Header().getBytes(StandardCharsets.UTF_8))) {
            throw new SaslException(getMechanismName() + ": channel binding does not match (e=channel-bindings-dont-match)");
        }
        if (!fin.nonce().equals(nonce)) {
            throw new SaslException(getMechanismName() + ": nonce does not match");
        }
        byte[] authMessage = (first.bare() + "," + serverFirst + "," + fin.withoutProof()).getBytes(StandardCharsets.UTF_8);
        byte[] storedKey = keys.storedKey();
        byte[] signature = ScramCrypto.hmac(variant, storedKey, authMessage);
        byte[] proof = fin.proof();
        byte[] clientKey = new byte[signature.length];
        byte[] computed = null;
        try {
            boolean lengthOk = proof.length == signature.length;
            for (int i = 0; i < clientKey.length; i++) {
                clientKey[i] = (byte) (signature[i] ^ (lengthOk ? proof[i] : 0));
            }
            computed = ScramCrypto.hash(variant, clientKey);
            boolean ok = MessageDigest.isEqual(computed, storedKey) & lengthOk & known;
            if (!ok) {
                diagnose(why);
                throw new SaslException(getMechanismName() + ": " + FAILED + " (e=invalid-proof)");
            }
        } finally {
            Wipe.bytes(storedKey);
            Wipe.bytes(signature);
            Wipe.bytes(clientKey);
            Wipe.bytes(computed);
            Wipe.bytes(proof);
        }
        authorizeAndSucceed(user, first.authzid());
        byte[] serverKey = keys.serverKey();
        try {
            byte[] serverSignature = ScramCrypto.hmac(variant, serverKey, authMessage);
            String v = "v=" + Base64.getEncoder().encodeToString(serverSignature);
            return v.getBytes(StandardCharsets.UTF_8);
        } finally {
            Wipe.bytes(serverKey);
            dispose();
        }
    }

    @Override
    public void dispose() {
        if (keys != null) {
            keys.wipe();
        }
    }
}
