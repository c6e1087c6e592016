package org.sasldb4j.auxprop.sasl;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.sasldb4j.store.secret.ScramVariant;

/** The two primitives the SCRAM server needs per variant: H() and HMAC(). */
final class ScramCrypto {
    private ScramCrypto() {}

    static String digestName(ScramVariant v) {
        return v.name().replace('_', '-'); // SHA_256 -> SHA-256
    }

    static byte[] hmac(ScramVariant v, byte[] key, byte[] data) {
        String alg = "Hmac" + v.name().replace("_", "");
        try {
            Mac mac = Mac.getInstance(alg);
            mac.init(new SecretKeySpec(key, alg));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + alg, e);
        }
    }

    static byte[] hash(ScramVariant v, byte[] data) {
        try {
            return MessageDigest.getInstance(digestName(v)).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + digestName(v), e);
        }
    }
}
