package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.LogManager;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.RealmCallback;
import javax.security.sasl.RealmChoiceCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.auxprop.sasl.BridgeCallbackHandler;
import org.sasldb4j.auxprop.sasl.BridgeSaslServerFactory;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.Argon2Parameters;
import org.sasldb4j.store.secret.CramMd5Context;
import org.sasldb4j.store.secret.ScramKeys;
import org.sasldb4j.store.secret.ScramVariant;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretSet;

/**
 * Every kind of stored secret through every mechanism on every path: the SASL provider's
 * servers, the daemon's Dovecot protocol, and (for plaintext checks) its saslauthd protocol.
 * The answers must agree between paths and with the rule written in docs/format.md ("Secrets
 * for mechanisms"), which {@link #EXPECTED} restates independently of the code.
 *
 * <p>The clients work on password <em>bytes</em> (SCRAM and CRAM-MD5 written out here, the JDK's
 * DIGEST-MD5 client fed one character per byte), so a legacy non-UTF-8 plaintext is tried as a
 * Cyrus client would send it.
 *
 * <p>{@link #noLogLevelPrintsASecret} runs the same logins with the daemon's log set up as
 * {@code sasldb-authd --log-level ALL} does, and searches the log for every password, its
 * base64 and hex forms and every stored value.
 */
class EverySecretEveryPathTest {
    static final String REALM = "example.org";
    static final byte[] LATIN1 = {'c', 'a', 'f', (byte) 0xe9, '-', 'p', 'w'};
    static final Argon2Parameters CHEAP = new Argon2Parameters(256, 1, 1, 16, 32);
    static final List<String> MECHANISMS =
            List.of("PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256");

    /** Kind of stored secret -> the mechanisms it serves (the rule in docs/format.md). */
    static final Map<String, List<String>> EXPECTED = new LinkedHashMap<>();

    static {
        List<String> password = List.of("PLAIN", "LOGIN", "saslauthd");
        List<String> all = List.of("PLAIN", "LOGIN", "saslauthd", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1",
                "SCRAM-SHA-256");
        EXPECTED.put("plain", all);
        EXPECTED.put("latin1", all);
        EXPECTED.put("nul", all);
        EXPECTED.put("hashed", plus(password, "SCRAM-SHA-1", "SCRAM-SHA-256"));
        EXPECTED.put("cyrusscram", plus(password, "SCRAM-SHA-1"));
        EXPECTED.put("scram256", plus(password, "SCRAM-SHA-256"));
        EXPECTED.put("crammd5", plus(password, "CRAM-MD5"));
        EXPECTED.put("cramlegacy", plus(password, "CRAM-MD5"));
        EXPECTED.put("legacyplain", password);
        EXPECTED.put("argon", password);
        EXPECTED.put("emptyplain", List.of());
        EXPECTED.put("plaindisabled", List.of());
        EXPECTED.put("hasheddisabled", List.of());
        EXPECTED.put("unknown", List.of());
    }

    private static List<String> plus(List<String> a, String... more) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(more));
        return out;
    }

    private Path dir;
    private Path db;
    /** User -> the password its secrets were made from (bytes). */
    private final Map<String, byte[]> passwords = new LinkedHashMap<>();
    /** Every stored value, for the log search. */
    private final List<byte[]> storedValues = new ArrayList<>();

    @BeforeEach
    void createStore() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "every-path",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        db = dir.resolve("sasldb");
        SecretSet hashed = SecretSet.HASHED.withArgon2(CHEAP);
        List<Entry> records = new ArrayList<>();
        put(records, "plain", SecretProperties.USER_PASSWORD, utf8("plain-pw"));
        passwords.put("latin1", LATIN1);
        records.add(Entry.of(user("latin1"), SecretProperties.USER_PASSWORD, LATIN1));
        passwords.put("nul", utf8("nul-pw"));
        records.add(Entry.of(user("nul"), SecretProperties.USER_PASSWORD, utf8("nul-pw\0trailing")));
        records.addAll(hashed.encode(user("hashed"), pw("hashed", "hashed-pw")));
        records.addAll(SecretSet.of(SecretSet.Kind.SCRAM_SHA_1).encode(user("cyrusscram"), pw("cyrusscram", "cs-pw")));
        records.addAll(SecretSet.of(SecretSet.Kind.SCRAM_SHA_256).encode(user("scram256"), pw("scram256", "s256-pw")));
        put(records, "crammd5", SecretProperties.CRAM_MD5,
                utf8(CramMd5Context.fromPassword("cram-pw".toCharArray()).toDovecot()));
        passwords.put("crammd5", utf8("cram-pw"));
        put(records, "cramlegacy", SecretProperties.CMUSASLSECRET_CRAM_MD5,
                CramMd5Context.fromPassword("legacy-cram".toCharArray()).toCyrusLegacy());
        passwords.put("cramlegacy", utf8("legacy-cram"));
        put(records, "legacyplain", SecretProperties.CMUSASLSECRET_PLAIN, cyrusPlain("legacy-plain"));
        passwords.put("legacyplain", utf8("legacy-plain"));
        records.addAll(SecretSet.of(SecretSet.Kind.ARGON2ID).withArgon2(CHEAP).encode(user("argon"), pw("argon", "argon-pw")));
        // An empty userPassword wins over the stored keys beside it (Cyrus: "empty secret").
        records.add(Entry.of(user("emptyplain"), SecretProperties.USER_PASSWORD, new byte[0]));
        records.addAll(SecretSet.of(SecretSet.Kind.SCRAM_SHA_256).encode(user("emptyplain"), pw("emptyplain", "empty-pw")));
        put(records, "plaindisabled", SecretProperties.USER_PASSWORD, utf8("pd-pw"));
        records.add(Entry.of(user("plaindisabled"), SecretProperties.DISABLED, utf8("disabled")));
        records.addAll(hashed.encode(user("hasheddisabled"), pw("hasheddisabled", "hd-pw")));
        records.add(Entry.of(user("hasheddisabled"), SecretProperties.DISABLED, utf8("disabled")));
        passwords.put("unknown", utf8("unknown-pw"));
        for (Entry e : records) {
            if (!e.property().equals(SecretProperties.DISABLED) && e.valueLength() > 0) {
                storedValues.add(e.value());
            }
        }
        try (CredentialStore s = CredentialStore.open(db, StoreOptions.create())) {
            s.update(w -> records.forEach(w::put));
        }
    }

    private char[] pw(String user, String password) {
        passwords.put(user, utf8(password));
        return password.toCharArray();
    }

    private void put(List<Entry> records, String user, String property, byte[] value) {
        if (property.equals(SecretProperties.USER_PASSWORD)) {
            passwords.put(user, value);
        }
        records.add(Entry.of(user(user), property, value));
    }

    private static UserId user(String name) {
        return UserId.of(name, REALM);
    }

    @AfterEach
    void cleanUp() throws Exception {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void sameAnswersOnEveryPathAsTheRuleSays() throws Exception {
        Map<String, Boolean> provider = new TreeMap<>();
        BridgeConfig bc = BridgeConfig.of(REALM).withPolicy(SecretSet.PLAINTEXT);
        try (AuxpropBridge bridge = AuxpropBridge.open(db, bc)) {
            BridgeCallbackHandler handler = BridgeCallbackHandler.of(bridge);
            BridgeSaslServerFactory factory = new BridgeSaslServerFactory();
            for (String user : passwords.keySet()) {
                for (String mech : MECHANISMS) {
                    SaslServer s = factory.createSaslServer(mech, "smtp", REALM, null, handler);
                    provider.put(user + " " + mech, login(mech, user, passwords.get(user), new InMemory(s)));
                    s.dispose();
                }
            }
        }
        Map<String, Boolean> dovecot = new TreeMap<>();
        Map<String, Boolean> saslauthd = new TreeMap<>();
        try (AuthDaemon daemon = startDaemon()) {
            runOnDaemon(dovecot, saslauthd, true);
        }
        List<String> wrong = new ArrayList<>();
        for (String user : passwords.keySet()) {
            for (String mech : MECHANISMS) {
                String k = user + " " + mech;
                boolean expected = EXPECTED.get(user).contains(mech);
                if (provider.get(k) != expected || dovecot.get(k) != expected) {
                    wrong.add(k + ": expected " + expected + ", provider " + provider.get(k) + ", dovecot " + dovecot.get(k));
                }
            }
            boolean expected = EXPECTED.get(user).contains("saslauthd");
            if (saslauthd.get(user) != expected) {
                wrong.add(user + " saslauthd: expected " + expected + ", got " + saslauthd.get(user));
            }
            // The saslauthd protocol accepts exactly the passwords PLAIN does.
            if (saslauthd.get(user) != dovecot.get(user + " PLAIN")) {
                wrong.add(user + ": saslauthd and PLAIN disagree");
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    @Tag("attack")
    void noLogLevelPrintsASecret() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(captured, true, StandardCharsets.UTF_8);
        try {
            LogSetup.configure(log, Level.ALL);
            try (AuthDaemon daemon = startDaemon()) {
                runOnDaemon(new TreeMap<>(), new TreeMap<>(), true);
                // Wrong passwords too: a failure must not echo what was tried.
                runOnDaemon(new TreeMap<>(), new TreeMap<>(), false);
            }
        } finally {
            LogManager.getLogManager().readConfiguration();
        }
        byte[] text = captured.toByteArray();
        assertTrue(text.length > 0, "the daemon logged nothing at level ALL");
        assertTrue(new String(text, StandardCharsets.UTF_8).contains("plain@" + REALM), "logins are logged");
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, byte[]> p : passwords.entrySet()) {
            for (byte[] form : forms(p.getValue())) {
                if (contains(text, form)) {
                    found.add("password of " + p.getKey() + " as " + new String(form, StandardCharsets.ISO_8859_1));
                }
            }
            for (byte[] form : forms(wrongPassword(p.getValue()))) {
                if (contains(text, form)) {
                    found.add("wrong password tried for " + p.getKey());
                }
            }
        }
        for (byte[] v : storedValues) {
            for (byte[] form : forms(v)) {
                if (form.length >= 8 && contains(text, form)) {
                    found.add("a stored value");
                }
            }
        }
        // Whole mechanism messages that carry a password (PLAIN's "\0user\0password", LOGIN's
        // password), as base64 on the wire: a logged resp= or CONT line shows the password in a
        // base64 alignment that the password's own forms above do not match.
        int carrying = 0;
        for (byte[] message : SENT_MESSAGES) {
            if (passwords.values().stream().noneMatch(pw -> contains(message, pw) || contains(message, wrongPassword(pw)))) {
                continue;
            }
            carrying++;
            for (byte[] form : forms(message)) {
                if (form.length >= 8 && contains(text, form)) {
                    found.add("a whole mechanism message carrying a password, as " + new String(form, StandardCharsets.ISO_8859_1));
                }
            }
        }
        assertTrue(carrying > 0, "no message carrying a password was sent: the search above proves nothing");
        // DIGEST-MD5's password equivalent H(user:realm:password), as the JDK's server logs it.
        byte[] ha1 = MessageDigest.getInstance("MD5").digest(concat(utf8("plain:" + REALM + ":"), passwords.get("plain")));
        for (byte[] form : forms(ha1)) {
            if (contains(text, form)) {
                found.add("H(A1) of plain");
            }
        }
        assertEquals(List.of(), found);
    }

    /**
     * The log search is able to fail: the JDK's DIGEST-MD5 server at FINE shows the stored
     * password. The client here types a wrong one, so the right one can only come from the server.
     */
    @Test
    void withoutTheFilterTheJdkLogsThePassword() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        java.util.logging.Logger jdk = java.util.logging.Logger.getLogger("javax.security.sasl");
        java.util.logging.StreamHandler h = new java.util.logging.StreamHandler(captured, new java.util.logging.SimpleFormatter());
        h.setLevel(Level.ALL);
        Level before = jdk.getLevel();
        jdk.setLevel(Level.ALL);
        jdk.addHandler(h);
        try {
            BridgeConfig bc = BridgeConfig.of(REALM).withPolicy(SecretSet.PLAINTEXT);
            try (AuxpropBridge bridge = AuxpropBridge.open(db, bc)) {
                SaslServer s = new BridgeSaslServerFactory().createSaslServer("DIGEST-MD5", "smtp", REALM, null,
                        BridgeCallbackHandler.of(bridge));
                assertFalse(login("DIGEST-MD5", "plain", utf8("unrelated"), new InMemory(s)));
            }
        } finally {
            jdk.removeHandler(h);
            jdk.setLevel(before);
        }
        h.flush();
        assertTrue(contains(captured.toByteArray(), passwords.get("plain")),
                "the JDK no longer logs the password at FINE: the log test above may have become blind");
    }

    private AuthDaemon startDaemon() throws Exception {
        BridgeConfig bc = BridgeConfig.of(REALM).withPolicy(SecretSet.PLAINTEXT);
        DaemonSettings base = DaemonSettings.forTests(REALM);
        DaemonSettings settings = new DaemonSettings(Mechanism.parseList(MECHANISMS), REALM, Duration.ZERO,
                base.requestTimeout(), base.idleTimeout(), base.ioTimeout(), base.maxLineLength(),
                base.maxPending(), false);
        DaemonConfig cfg = new DaemonConfig(dir.resolve("auth"), dir.resolve("mux"), null, 16, settings, 64 * 1024,
                1024, Duration.ofSeconds(5), Duration.ZERO);
        return AuthDaemon.start(cfg, () -> BridgeBackend.open(db, bc, REALM));
    }

    private void runOnDaemon(Map<String, Boolean> dovecot, Map<String, Boolean> saslauthd, boolean right) throws Exception {
        int[] id = {1};
        try (DovecotClient c = DovecotClient.postfix(dir.resolve("auth"))) {
            for (Map.Entry<String, byte[]> u : passwords.entrySet()) {
                byte[] pw = right ? u.getValue() : wrongPassword(u.getValue());
                for (String mech : MECHANISMS) {
                    dovecot.put(u.getKey() + " " + mech, login(mech, u.getKey(), pw, new OverDovecot(c, id[0]++, mech)));
                }
                String reply = SaslauthdClient.askRaw(dir.resolve("mux"),
                        counted(utf8(u.getKey()), pw, utf8("smtp"), utf8(REALM)));
                saslauthd.put(u.getKey(), "OK".equals(reply));
            }
        }
    }

    private static byte[] wrongPassword(byte[] pw) {
        return concat(pw, utf8("-wrong"));
    }

    // ---- clients over password bytes ----

    /** One exchange: the client's response in, the server's challenge out (null: success). */
    interface Channel {
        /** @throws SaslException when the server fails the exchange */
        byte[] send(byte[] response) throws Exception;
    }

    record InMemory(SaslServer server) implements Channel {
        @Override
        public byte[] send(byte[] response) throws Exception {
            byte[] challenge = server.evaluateResponse(response);
            if (server.isComplete()) {
                return null;
            }
            return challenge == null ? new byte[0] : challenge;
        }
    }

    /** AUTH with the first response as initial response (client-first) or none, then CONT. */
    /** Every mechanism message the Dovecot clients sent, for the log search. */
    static final List<byte[]> SENT_MESSAGES = new java.util.concurrent.CopyOnWriteArrayList<>();

    static final class OverDovecot implements Channel {
        private final DovecotClient c;
        private final int id;
        private final String mech;
        private boolean started;

        OverDovecot(DovecotClient c, int id, String mech) {
            this.c = c;
            this.id = id;
            this.mech = mech;
        }

        @Override
        public byte[] send(byte[] response) throws Exception {
            SENT_MESSAGES.add(response.clone());
            if (!started) {
                started = true;
                String base = "AUTH\t" + id + "\t" + mech + "\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1";
                c.send(response.length == 0 ? base : base + "\tresp=" + Base64.getEncoder().encodeToString(response));
            } else {
                c.send("CONT\t" + id + "\t" + Base64.getEncoder().encodeToString(response));
            }
            String line = c.readLine();
            String[] f = line.split("\t");
            if (f[0].equals("OK")) {
                return null;
            }
            if (f[0].equals("CONT")) {
                return f.length > 2 ? Base64.getDecoder().decode(f[2]) : new byte[0];
            }
            throw new SaslException(line);
        }
    }

    /** True if the exchange succeeded. */
    static boolean login(String mech, String user, byte[] pw, Channel ch) {
        try {
            return switch (mech) {
                case "PLAIN" -> ch.send(concat(utf8("\0" + user + "\0"), pw)) == null;
                case "LOGIN" -> {
                    byte[] c = ch.send(utf8(user));
                    yield c != null && ch.send(pw) == null;
                }
                case "CRAM-MD5" -> {
                    byte[] challenge = ch.send(new byte[0]);
                    Mac md5 = Mac.getInstance("HmacMD5");
                    md5.init(new SecretKeySpec(pw, "HmacMD5"));
                    String hex = HexFormat.of().formatHex(md5.doFinal(challenge));
                    yield ch.send(utf8(user + " " + hex)) == null;
                }
                case "DIGEST-MD5" -> digest(user, pw, ch);
                case "SCRAM-SHA-1" -> scram(ScramVariant.SHA_1, user, pw, ch);
                case "SCRAM-SHA-256" -> scram(ScramVariant.SHA_256, user, pw, ch);
                default -> throw new AssertionError(mech);
            };
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean digest(String user, byte[] pw, Channel ch) throws Exception {
        // One char per byte: the JDK encodes them back as ISO 8859-1, i.e. these very bytes
        // (for ASCII and for the legacy Latin-1 password alike).
        char[] chars = new String(pw, StandardCharsets.ISO_8859_1).toCharArray();
        SaslClient client = Sasl.createSaslClient(new String[] {"DIGEST-MD5"}, null, "smtp", REALM, Map.of(),
                (Callback[] cbs) -> {
                    for (Callback cb : cbs) {
                        if (cb instanceof NameCallback n) {
                            n.setName(user);
                        } else if (cb instanceof PasswordCallback p) {
                            p.setPassword(chars);
                        } else if (cb instanceof RealmChoiceCallback r) {
                            r.setSelectedIndex(0);
                        } else if (cb instanceof RealmCallback r) {
                            r.setText(r.getDefaultText());
                        }
                    }
                });
        byte[] challenge = ch.send(new byte[0]);
        for (int round = 0; round < 4; round++) {
            byte[] response = client.evaluateChallenge(challenge);
            challenge = ch.send(response == null ? new byte[0] : response);
            if (challenge == null) {
                return true;
            }
        }
        return false;
    }

    private static boolean scram(ScramVariant v, String user, byte[] pw, Channel ch) throws Exception {
        byte[] nonceBytes = new byte[18];
        new SecureRandom().nextBytes(nonceBytes);
        String clientNonce = Base64.getEncoder().encodeToString(nonceBytes);
        String bare = "n=" + user.replace("=", "=3D").replace(",", "=2C") + ",r=" + clientNonce;
        byte[] first = ch.send(utf8("n,," + bare));
        String serverFirst = new String(first, StandardCharsets.UTF_8);
        Map<String, String> attrs = new LinkedHashMap<>();
        for (String a : serverFirst.split(",")) {
            attrs.put(a.substring(0, 1), a.substring(2));
        }
        byte[] salt = Base64.getDecoder().decode(attrs.get("s"));
        int iterations = Integer.parseInt(attrs.get("i"));
        String withoutProof = "c=biws,r=" + attrs.get("r");
        String authMessage = bare + "," + serverFirst + "," + withoutProof;
        byte[] salted = hi(v, pw, salt, iterations);
        byte[] clientKey = hmac(v, salted, utf8("Client Key"));
        byte[] storedKey = MessageDigest.getInstance(v == ScramVariant.SHA_1 ? "SHA-1" : "SHA-256").digest(clientKey);
        byte[] signature = hmac(v, storedKey, utf8(authMessage));
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        byte[] last = ch.send(utf8(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)));
        if (last != null && new String(last, StandardCharsets.UTF_8).startsWith("v=")) {
            last = ch.send(new byte[0]); // the Dovecot protocol sends server-final as a CONT
        }
        return last == null;
    }

    private static byte[] hi(ScramVariant v, byte[] pw, byte[] salt, int iterations) throws Exception {
        byte[] u = hmac(v, pw, concat(salt, new byte[] {0, 0, 0, 1}));
        byte[] out = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = hmac(v, pw, u);
            for (int k = 0; k < out.length; k++) {
                out[k] ^= u[k];
            }
        }
        return out;
    }

    private static byte[] hmac(ScramVariant v, byte[] key, byte[] data) throws Exception {
        String alg = v == ScramVariant.SHA_1 ? "HmacSHA1" : "HmacSHA256";
        Mac mac = Mac.getInstance(alg);
        mac.init(new SecretKeySpec(key, alg));
        return mac.doFinal(data);
    }

    // ---- helpers ----

    /** The forms a secret could take in a log line: raw, base64 (both alphabets), hex both cases. */
    static List<byte[]> forms(byte[] secret) {
        List<byte[]> out = new ArrayList<>();
        out.add(secret);
        out.add(utf8(Base64.getEncoder().encodeToString(secret)));
        out.add(utf8(Base64.getEncoder().withoutPadding().encodeToString(secret)));
        out.add(utf8(Base64.getUrlEncoder().withoutPadding().encodeToString(secret)));
        out.add(utf8(HexFormat.of().formatHex(secret)));
        out.add(utf8(HexFormat.of().withUpperCase().formatHex(secret)));
        out.add(utf8(new String(secret, StandardCharsets.UTF_8)));
        return out;
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        if (needle.length == 0) {
            return false;
        }
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static byte[] counted(byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : fields) {
            out.write(f.length >> 8);
            out.write(f.length);
            out.write(f, 0, f.length);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Cyrus's legacy cmusaslsecretPLAIN: salt(16) NUL MD5(salt "sasldb" password). */
    static byte[] cyrusPlain(String password) throws Exception {
        byte[] salt = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        md5.update(salt);
        md5.update(utf8("sasldb"));
        md5.update(utf8(password));
        byte[] out = new byte[33];
        System.arraycopy(salt, 0, out, 0, 16);
        System.arraycopy(md5.digest(), 0, out, 17, 16);
        return out;
    }
}
