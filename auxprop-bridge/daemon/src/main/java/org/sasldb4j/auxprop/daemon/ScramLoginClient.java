package org.sasldb4j.auxprop.daemon;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.security.sasl.SaslException;
import org.sasldb4j.store.StrictUtf8;
import org.sasldb4j.store.secret.SaslPrep;
import org.sasldb4j.store.secret.Wipe;

/**
 * A SCRAM-SHA-1 / SCRAM-SHA-256 client (RFC 5802, RFC 7677) without channel binding
 * ({@code n,,}), as an SMTP client without {@code -PLUS} runs it: client-first, client-final
 * with the proof, then the server's signature checked ({@link #serverVerified()}).
 *
 * <p>Security: the salted password and keys are wiped as soon as the proof and the expected
 * server signature are computed.
 */
final class ScramLoginClient extends LoginClient {
    /** More iterations than any sane server asks for: a hostile server must not make us spin. */
    static final int MAX_ITERATIONS = 10_000_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final String mech;
    private final String hmac;
    private final String digest;
    private final String nonce;
    private String clientFirstBare;
    private byte[] expectedServerSignature;
    private int step;
    private boolean verified;

    ScramLoginClient(String mech, String user, byte[] password) {
        super(user, password);
        this.mech = mech;
        boolean sha1 = mech.equals("SCRAM-SHA-1");
        this.hmac = sha1 ? "HmacSHA1" : "HmacSHA256";
        this.digest = sha1 ? "SHA-1" : "SHA-256";
        byte[] r = new byte[18];
        RANDOM.nextBytes(r);
        this.nonce = Base64.getEncoder().encodeToString(r);
    }

    @Override
    String mechanism() {
        return mech;
    }

    @Override
    byte[] initialResponse() {
        clientFirstBare = "n=" + user.replace("=", "=3D").replace(",", "=2C") + ",r=" + nonce;
        step = 1;
        return ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    byte[] evaluate(byte[] challenge) throws SaslException {
        switch (step) {
            case 0:
                // The server sent an empty challenge first: answer with client-first.
                return initialResponse();
            case 1:
                step = 2;
                return clientFinal(new String(challenge, StandardCharsets.UTF_8));
            case 2:
                step = 3;
                checkServerFinal(new String(challenge, StandardCharsets.UTF_8));
                return new byte[0];
            default:
                throw new SaslException(mech + ": unexpected challenge after the server's signature");
        }
    }

    @Override
    boolean serverVerified() {
        return verified;
    }

    private byte[] clientFinal(String serverFirst) throws SaslException {
        String r = attribute(serverFirst, 'r');
        String s = attribute(serverFirst, 's');
        String i = attribute(serverFirst, 'i');
        if (r == null || s == null || i == null || !r.startsWith(nonce) || serverFirst.startsWith("m=")) {
            throw new SaslException(mech + ": malformed server-first message");
        }
        int iterations;
        byte[] salt;
        try {
            iterations = Integer.parseInt(i);
            salt = Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new SaslException(mech + ": malformed server-first message");
        }
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new SaslException(mech + ": the server asks for " + iterations + " iterations");
        }
        String withoutProof = "c=biws,r=" + r;
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] pw = normalizedPassword();
        byte[] salted = null;
        byte[] clientKey = null;
        byte[] storedKey = null;
        byte[] serverKey = null;
        byte[] signature = null;
        try {
            salted = hi(pw, salt, iterations);
            clientKey = mac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
            storedKey = MessageDigest.getInstance(digest).digest(clientKey);
            signature = mac(storedKey, authMessage);
            for (int k = 0; k < signature.length; k++) {
                signature[k] ^= clientKey[k];
            }
            serverKey = mac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
            expectedServerSignature = mac(serverKey, authMessage);
            return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(signature))
                    .getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new SaslException(mech + ": " + e.getMessage());
        } finally {
            Wipe.bytes(pw, salted, clientKey, storedKey, serverKey, signature);
        }
    }

    private void checkServerFinal(String serverFinal) throws SaslException {
        String v = attribute(serverFinal, 'v');
        if (v == null) {
            String e = attribute(serverFinal, 'e');
            throw new SaslException(mech + ": the server refused: " + (e == null ? "no reason" : e));
        }
        byte[] got;
        try {
            got = Base64.getDecoder().decode(v);
        } catch (IllegalArgumentException e) {
            throw new SaslException(mech + ": malformed server signature");
        }
        verified = expectedServerSignature != null && MessageDigest.isEqual(got, expectedServerSignature);
        if (!verified) {
            throw new SaslException(mech + ": the server's signature is wrong (it does not know the password)");
        }
    }

    /** The password as SCRAM hashes it: SASLprep'd UTF-8, or as given if that is impossible. */
    private byte[] normalizedPassword() {
        char[] chars = StrictUtf8.charsOrNull(password);
        if (chars == null) {
            return password.clone();
        }
        char[] prepared = null;
        try {
            prepared = SaslPrep.prepare(chars, true);
            return utf8(prepared);
        } catch (IllegalArgumentException e) {
            return password.clone();
        } finally {
            Wipe.chars(chars, prepared);
        }
    }

    private static byte[] utf8(char[] chars) {
        java.nio.ByteBuffer b = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(chars));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        if (b.hasArray()) {
            java.util.Arrays.fill(b.array(), (byte) 0);
        }
        return out;
    }

    private byte[] hi(byte[] pw, byte[] salt, int iterations) throws GeneralSecurityException {
        Mac m = Mac.getInstance(hmac);
        // HMAC pads its key with zeros, so one zero byte is the empty key JCE refuses to take.
        m.init(new SecretKeySpec(pw.length == 0 ? new byte[1] : pw, hmac));
        m.update(salt);
        byte[] u = m.doFinal(new byte[] {0, 0, 0, 1});
        byte[] result = u.clone();
        for (int k = 1; k < iterations; k++) {
            byte[] next = m.doFinal(u);
            Wipe.bytes(u);
            u = next;
            for (int j = 0; j < result.length; j++) {
                result[j] ^= u[j];
            }
        }
        Wipe.bytes(u);
        return result;
    }

    private byte[] mac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac m = Mac.getInstance(hmac);
        m.init(new SecretKeySpec(key, hmac));
        return m.doFinal(data);
    }

    /** The value of {@code name=} in a SCRAM message, or null. */
    static String attribute(String message, char name) {
        for (String part : message.split(",")) {
            if (part.length() >= 2 && part.charAt(0) == name && part.charAt(1) == '=') {
                return part.substring(2);
            }
        }
        return null;
    }

    @Override
    public void close() {
        Wipe.bytes(expectedServerSignature);
        super.close();
    }
}
