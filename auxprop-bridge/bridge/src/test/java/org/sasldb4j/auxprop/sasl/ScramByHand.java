package org.sasldb4j.auxprop.sasl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client side of SCRAM (RFC 5802 §3) computed step by step from the JDK's primitives, so a
 * test can send messages no well-behaved client would: a proof that is right for a nonce or an
 * authzid the server did not agree to. ASCII passwords only (no SASLprep here).
 */
final class ScramByHand {
    private ScramByHand() {}

    /**
     * The client-final-message for {@code serverFirst}, with the proof computed over the nonce
     * actually sent.
     *
     * @param hash "SHA-1" or "SHA-256"
     * @param gs2Header e.g. {@code "n,,"} or {@code "n,a=alice,"}
     * @param clientFirstBare the client-first-message without the GS2 header
     * @param nonce the r= value to send, or null for the server's
     */
    static String clientFinal(String hash, String password, String gs2Header, String clientFirstBare,
            String serverFirst, String nonce) throws Exception {
        String serverNonce = attribute(serverFirst, 'r');
        byte[] salt = Base64.getDecoder().decode(attribute(serverFirst, 's'));
        int iterations = Integer.parseInt(attribute(serverFirst, 'i'));
        String r = nonce != null ? nonce : serverNonce;
        String withoutProof = "c=" + Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8))
                + ",r=" + r;
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        String mac = hash.equals("SHA-1") ? "HmacSHA1" : "HmacSHA256";
        byte[] salted = SecretKeyFactory.getInstance("PBKDF2With" + mac)
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations,
                        hash.equals("SHA-1") ? 160 : 256))
                .getEncoded();
        byte[] clientKey = hmac(mac, salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] storedKey = MessageDigest.getInstance(hash).digest(clientKey);
        byte[] signature = hmac(mac, storedKey, authMessage.getBytes(StandardCharsets.UTF_8));
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
    }

    /** The value of attribute {@code name} in a SCRAM message. */
    static String attribute(String message, char name) {
        for (String part : message.split(",")) {
            if (part.length() >= 2 && part.charAt(0) == name && part.charAt(1) == '=') {
                return part.substring(2);
            }
        }
        throw new IllegalArgumentException("no " + name + "= in " + message);
    }

    private static byte[] hmac(String algorithm, byte[] key, byte[] data) throws Exception {
        Mac m = Mac.getInstance(algorithm);
        m.init(new SecretKeySpec(key, algorithm));
        return m.doFinal(data);
    }
}
