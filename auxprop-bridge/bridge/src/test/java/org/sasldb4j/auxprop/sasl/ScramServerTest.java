package org.sasldb4j.auxprop.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.ongres.scram.client.ScramClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.TestStore;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.store.secret.ScramKeys;
import org.sasldb4j.store.secret.ScramVariant;
import org.sasldb4j.store.secret.SecretProperties;

/** SCRAM-SHA-1/256: RFC 5802 and RFC 7677 example exchanges, and the OnGres client. */
class ScramServerTest {
    @TempDir
    Path dir;
    TestStore store;
    AuxpropBridge bridge;

    @BeforeEach
    void open() {
        // The RFC examples' user "user" / "pencil", stored as keys with the RFCs' salts.
        byte[] salt1 = Base64.getDecoder().decode("QSXCR+Q6sek8bf92");
        byte[] salt256 = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        store = TestStore.in(dir)
                .put("user", "vm", SecretProperties.AUTH_PASSWORD,
                        ScramKeys.derive(ScramVariant.SHA_1, "pencil".toCharArray(), salt1, 4096).toAuthPassword())
                .put("user", "vm", SecretProperties.SCRAM_SHA_256,
                        ScramKeys.derive(ScramVariant.SHA_256, "pencil".toCharArray(), salt256, 4096).toDovecot())
                .put("plain", "vm", "userPassword", "pässword")
                .put("cyrus", "vm", "authPassword",
                        "SCRAM-SHA-1$4096:dAdXgoGlDLFI5X8ySvaW+w==$ALS+RPXuDo2J5IFn0ZWhpCD3ZGY=:qY6aGXKzJJuEJ4c/GG3bQ33duLs=")
                .put("dis", "vm", "userPassword", "right")
                .put("dis", "vm", SecretProperties.DISABLED, "x");
        bridge = store.bridge();
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void rfc5802Example() throws SaslException {
        ScramServer server = new ScramServer(ScramVariant.SHA_1, bridge, null, () -> "3rfcNHYJY1ZVvWVs7j");
        assertEquals("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
                s(server.evaluateResponse(b("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"))));
        assertEquals("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", s(server.evaluateResponse(
                b("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="))));
        assertTrue(server.isComplete());
        assertEquals("user@vm", server.getAuthorizationID());
    }

    @Test
    void rfc7677Example() throws SaslException {
        ScramServer server = new ScramServer(ScramVariant.SHA_256, bridge, null, () -> "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
        assertEquals("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                s(server.evaluateResponse(b("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"))));
        assertEquals("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", s(server.evaluateResponse(
                b("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                        + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))));
        assertTrue(server.isComplete());
    }

    @Test
    void rfc5802ExampleWithAWrongProofFails() throws SaslException {
        ScramServer server = new ScramServer(ScramVariant.SHA_1, bridge, null, () -> "3rfcNHYJY1ZVvWVs7j");
        server.evaluateResponse(b("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"));
        SaslException e = assertThrows(SaslException.class, () -> server.evaluateResponse(
                b("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v1X8v3Bz2T0CJGbJQyF0X+HI4Ts=")));
        assertTrue(e.getMessage().contains("invalid-proof"));
    }

    /** Runs the OnGres client against a server from the provider's factory. */
    private String ongres(String mech, String user, String password, String authzid) throws Exception {
        SaslServer server = new BridgeSaslServerFactory().createSaslServer(mech, "smtp", "vm", Map.of(),
                BridgeCallbackHandler.of(bridge));
        var builder = ScramClient.builder().advertisedMechanisms(List.of(mech)).username(user)
                .password(password.toCharArray());
        if (authzid != null) {
            builder.authzid(authzid);
        }
        ScramClient client = builder.build();
        String serverFirst = s(server.evaluateResponse(b(client.clientFirstMessage().toString())));
        client.serverFirstMessage(serverFirst);
        String serverFinal = s(server.evaluateResponse(b(client.clientFinalMessage().toString())));
        client.serverFinalMessage(serverFinal); // checks the server signature
        assertTrue(server.isComplete());
        return server.getAuthorizationID();
    }

    @ParameterizedTest
    @ValueSource(strings = {"SCRAM-SHA-1", "SCRAM-SHA-256"})
    void ongresClientWithStoredKeysAndPlaintext(String mech) throws Exception {
        assertEquals("user@vm", ongres(mech, "user", "pencil", null));
        assertEquals("plain@vm", ongres(mech, "plain", "pässword", null));
        assertThrows(SaslException.class, () -> ongres(mech, "user", "pencil!", null));
        assertThrows(SaslException.class, () -> ongres(mech, "ghost", "pencil", null));
        assertThrows(SaslException.class, () -> ongres(mech, "dis", "right", null));
    }

    @Test
    void cyrusWrittenAuthPasswordServesScramSha1Only() throws Exception {
        assertEquals("cyrus@vm", ongres("SCRAM-SHA-1", "cyrus", "pencil-and-otp-phrase", null));
        assertThrows(SaslException.class, () -> ongres("SCRAM-SHA-256", "cyrus", "pencil-and-otp-phrase", null));
    }

    @Test
    void saslprepOfThePasswordAsTheRfcAsks() throws Exception {
        // U+00AD SOFT HYPHEN maps to nothing and U+2168 ROMAN NUMERAL NINE becomes "IX" under NFKC:
        // the client's SASLprep and the server's derivation must agree.
        // (LMDB forbids two environments on one file in one process: close before reopening.)
        bridge.close();
        store.put("prep", "vm", "userPassword", "I\u00adX");
        bridge = store.bridge();
        assertEquals("prep@vm", ongres("SCRAM-SHA-256", "prep", "\u2168", null));
    }

    @Test
    void authzidMustBeTheSameUserByDefault() throws Exception {
        assertEquals("user@vm", ongres("SCRAM-SHA-256", "user", "pencil", "user@vm"));
        assertThrows(SaslException.class, () -> ongres("SCRAM-SHA-256", "user", "pencil", "plain"));
    }

    @Test
    void unknownUsersGetAStableDecoySalt() throws SaslException {
        String a = s(new ScramServer(ScramVariant.SHA_256, bridge, null).evaluateResponse(b("n,,n=ghost,r=abc")));
        String b2 = s(new ScramServer(ScramVariant.SHA_256, bridge, null).evaluateResponse(b("n,,n=ghost,r=abc")));
        assertEquals(a.substring(a.indexOf(",s=")), b2.substring(b2.indexOf(",s=")));
        assertTrue(a.endsWith(",i=4096"));
    }

    @Test
    void channelBindingFlags() throws SaslException {
        SaslException p = assertThrows(SaslException.class, () -> new ScramServer(ScramVariant.SHA_256, bridge, null)
                .evaluateResponse(b("p=tls-unique,,n=user,r=abc")));
        assertTrue(p.getMessage().contains("channel-binding-not-supported"));
        // 'y' is accepted (we offer no -PLUS), but c= must repeat the header exactly
        ScramServer y = new ScramServer(ScramVariant.SHA_1, bridge, null, () -> "3rfcNHYJY1ZVvWVs7j");
        y.evaluateResponse(b("y,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"));
        SaslException mismatch = assertThrows(SaslException.class, () -> y.evaluateResponse(
                b("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")));
        assertTrue(mismatch.getMessage().contains("channel-bindings-dont-match"));
        SaslException ext = assertThrows(SaslException.class, () -> new ScramServer(ScramVariant.SHA_256, bridge, null)
                .evaluateResponse(b("n,,m=x,n=user,r=abc")));
        assertTrue(ext.getMessage().contains("extensions-not-supported"));
    }

    @Test
    void factoryServesScramThroughSaslCreateSaslServer() throws Exception {
        java.security.Security.insertProviderAt(new SaslDb4jProvider(), 1);
        try {
            SaslServer s = Sasl.createSaslServer("SCRAM-SHA-256", "smtp", "vm", null, BridgeCallbackHandler.of(bridge));
            assertEquals("SCRAM-SHA-256", s.getMechanismName());
        } finally {
            java.security.Security.removeProvider(SaslDb4jProvider.NAME);
        }
    }
}
