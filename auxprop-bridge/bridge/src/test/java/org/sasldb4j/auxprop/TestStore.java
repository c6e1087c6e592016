package org.sasldb4j.auxprop;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.Argon2Parameters;
import org.sasldb4j.store.secret.SecretSet;

/** Builds small stores for tests; opens bridges on them. Cheap Argon2 parameters throughout. */
public final class TestStore {
    /** Cheap Argon2id for tests (the policy's "current"). */
    public static final Argon2Parameters CHEAP = new Argon2Parameters(256, 1, 1, 16, 32);
    /** Weaker than {@link #CHEAP}: hashes made with it need a rehash. */
    public static final Argon2Parameters CHEAPER = new Argon2Parameters(64, 1, 1, 16, 32);
    public static final SecretSet POLICY = SecretSet.of(SecretSet.Kind.ARGON2ID, SecretSet.Kind.SCRAM_SHA_256)
            .withArgon2(CHEAP);

    private final Path path;

    private TestStore(Path path) {
        this.path = path;
    }

    public static TestStore in(Path dir) {
        return new TestStore(dir.resolve("sasldb.lmdb"));
    }

    public Path path() {
        return path;
    }

    public TestStore put(String authid, String realm, String property, byte[] value) {
        try (CredentialStore s = CredentialStore.open(path, StoreOptions.create())) {
            s.update(w -> w.put(UserId.of(authid, realm), property, value));
        }
        return this;
    }

    public TestStore put(String authid, String realm, String property, String value) {
        return put(authid, realm, property, value.getBytes(StandardCharsets.UTF_8));
    }

    public AuxpropBridge bridge(BridgeConfig config) {
        return AuxpropBridge.open(path, config);
    }

    /** The bridge with realm {@code vm}, the test policy. */
    public AuxpropBridge bridge() {
        return bridge(BridgeConfig.of("vm").withPolicy(POLICY));
    }

    /** A legacy {@code cmusaslsecretPLAIN} value (docs/reference/cyrus-sasldb.md §1.7). */
    public static byte[] cyrusPlain(String password) throws Exception {
        byte[] salt = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        md5.update(salt);
        md5.update("sasldb".getBytes(StandardCharsets.US_ASCII));
        md5.update(password.getBytes(StandardCharsets.UTF_8));
        byte[] out = new byte[33];
        System.arraycopy(salt, 0, out, 0, 16);
        System.arraycopy(md5.digest(), 0, out, 17, 16);
        return out;
    }
}
