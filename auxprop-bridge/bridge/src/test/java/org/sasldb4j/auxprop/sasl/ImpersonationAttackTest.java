package org.sasldb4j.auxprop.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.ongres.scram.client.ScramClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.TestStore;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretSchemes;

/**
 * Attack replays (docs/security.md): a client that knows one user's password tries to act as
 * another user, through the authorization id of PLAIN, SCRAM and DIGEST-MD5, or through NUL
 * bytes that a C implementation would cut a name or password at. With the default
 * {@link org.sasldb4j.auxprop.AuthorizationPolicy#SAME_USER} (Cyrus without a proxy policy) every
 * attempt must fail; the control exchanges show the same clients succeed without the trick.
 */
@Tag("attack")
class ImpersonationAttackTest {
    @TempDir
    Path dir;
    AuxpropBridge bridge;

    // The set-up of AuxpropBridgeTest and ParserFuzzTest (TestStore builds all three), with its own
    // users: each test class states whom it works on.
    @BeforeEach
    void open() {
        bridge = TestStore.in(dir)
                .put("mallory", "vm", "userPassword", "mallorypw")
                .put("alice", "vm", "userPassword", "alicepw")
                .put("hashed", "vm", SecretProperties.ARGON2ID, SecretSchemes.argon2id(TestStore.CHEAP).encode("h4shed".toCharArray()))
                .bridge();
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    private SaslServer server(String mech) throws SaslException {
        SaslServer s = new BridgeSaslServerFactory().createSaslServer(mech, "smtp", "vm", Map.of(),
                BridgeCallbackHandler.of(bridge));
        assertTrue(s != null, mech);
        return s;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends one raw PLAIN message; returns the authorization id, or throws the server's failure. */
    private String plain(String message) throws SaslException {
        SaslServer s = server("PLAIN");
        s.evaluateResponse(b(message));
        assertTrue(s.isComplete());
        return s.getAuthorizationID();
    }

    private String jdk(String mech, String authzid, String user, String password) throws SaslException {
        SaslServer s = server(mech);
        SaslClient c = Sasl.createSaslClient(new String[] {mech}, authzid, "smtp", "vm", Map.of(),
                Exchange.clientCallbacks(user, password));
        Exchange.run(c, s);
        return s.getAuthorizationID();
    }

    private String ongres(String mech, String user, String password, String authzid) throws Exception {
        SaslServer server = server(mech);
        var builder = ScramClient.builder().advertisedMechanisms(List.of(mech)).username(user)
                .password(password.toCharArray());
        if (authzid != null) {
            builder.authzid(authzid);
        }
        ScramClient client = builder.build();
        client.serverFirstMessage(new String(server.evaluateResponse(b(client.clientFirstMessage().toString())),
                StandardCharsets.UTF_8));
        client.serverFinalMessage(new String(server.evaluateResponse(b(client.clientFinalMessage().toString())),
                StandardCharsets.UTF_8));
        return server.getAuthorizationID();
    }

    @Test
    void plainWithAnotherUsersAuthzidIsRefused() throws SaslException {
        assertEquals("mallory@vm", plain("\0mallory\0mallorypw"));
        for (String as : List.of("alice", "alice@vm", " alice ", "ALICE", "alice@VM", "hashed", "nobody")) {
            SaslException e = assertThrows(SaslException.class, () -> plain(as + "\0mallory\0mallorypw"), as);
            assertTrue(e.getMessage().contains("authorization failed"), e.getMessage());
        }
        // Acting as oneself, spelled any way that canonicalises to the same user, is allowed.
        assertEquals("mallory@vm", plain("mallory@vm\0mallory\0mallorypw"));
        assertEquals("mallory@vm", plain(" mallory\0mallory\0mallorypw"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"SCRAM-SHA-1", "SCRAM-SHA-256"})
    void scramWithAnotherUsersAuthzidIsRefused(String mech) throws Exception {
        assertEquals("mallory@vm", ongres(mech, "mallory", "mallorypw", null));
        assertEquals("mallory@vm", ongres(mech, "mallory", "mallorypw", "mallory@vm"));
        for (String as : List.of("alice", "alice@vm", "hashed", "a,b", "alice=2C")) {
            assertThrows(SaslException.class, () -> ongres(mech, "mallory", "mallorypw", as), as);
        }
    }

    @Test
    void scramGs2HeaderAuthzidByHandIsRefused() throws Exception {
        // The a= field written by hand, as a hostile client would: the proof is right (mallory's),
        // the authzid is alice's.
        ScramServer s = new ScramServer(org.sasldb4j.store.secret.ScramVariant.SHA_256, bridge, null);
        String first = "n,a=alice,n=mallory,r=abcdefghijklmnop";
        String serverFirst = new String(s.evaluateResponse(b(first)), StandardCharsets.UTF_8);
        String fin = ScramByHand.clientFinal("SHA-256", "mallorypw", "n,a=alice,", first.substring("n,a=alice,".length()),
                serverFirst, null);
        SaslException e = assertThrows(SaslException.class, () -> s.evaluateResponse(b(fin)));
        assertTrue(e.getMessage().contains("authorization failed"), e.getMessage());
    }

    @Test
    void digestMd5WithAnotherUsersAuthzidIsRefused() throws SaslException {
        assertEquals("mallory@vm", jdk("DIGEST-MD5", null, "mallory", "mallorypw"));
        for (String as : List.of("alice", "alice@vm", "hashed")) {
            assertThrows(SaslException.class, () -> jdk("DIGEST-MD5", as, "mallory", "mallorypw"), as);
        }
        // PLAIN through the JDK's client, the same way
        assertThrows(SaslException.class, () -> jdk("PLAIN", "alice", "mallory", "mallorypw"));
    }

    @Test
    void plainNulTricksAreRefused() {
        List<String> tricks = List.of(
                "\0mallory\0mallorypw\0alice",   // a third field
                "\0alice\0\0",                   // empty password after the second NUL
                "\0alice\0mallorypw\0",          // trailing NUL
                "alice\0\0mallorypw",            // authzid only, empty authcid
                "\0\0alicepw",                   // empty authcid
                "\0mallory\0mallorypw\0\0",
                "\0alice",                       // one NUL only
                "alice\0mallory\0mallorypw\0x",
                "\0alice\0alicepw\0\0\0\0");
        for (String t : tricks) {
            assertThrows(SaslException.class, () -> plain(t), t.replace("\0", "\\0"));
        }
    }

    @Test
    void nulInsideNamesAndPasswordsIsNeverCutAt() throws SaslException {
        // LOGIN carries each field on its own, so a NUL can sit inside the name or the password.
        for (String[] up : new String[][] {
                {"alice\0evil", "alicepw"},
                {"alice\0", "alicepw"},
                {"alice@vm\0userPassword", "alicepw"},   // a splice into the record key
                {"alice\0vm\0userPassword", "alicepw"},
                {"alice", "alicepw\0"},                  // Cyrus compares the password as a C string
                {"alice", "alicepw\0junk"},
                {"hashed", "h4shed\0"}}) {
            SaslServer s = server("LOGIN");
            s.evaluateResponse(b(up[0]));
            assertThrows(SaslException.class, () -> s.evaluateResponse(b(up[1])), up[0].replace("\0", "\\0"));
        }
        // SCRAM names: a NUL is not a valid saslname character
        for (String first : List.of("n,,n=alice\0,r=abc", "n,,n=mallory\0alice,r=abc", "n,a=alice\0,n=mallory,r=abc")) {
            assertThrows(SaslException.class, () -> server("SCRAM-SHA-256").evaluateResponse(b(first)));
        }
        // the controls: the same servers accept the honest messages
        SaslServer login = server("LOGIN");
        login.evaluateResponse(b("alice"));
        login.evaluateResponse(b("alicepw"));
        assertEquals("alice@vm", login.getAuthorizationID());
        assertEquals("alice@vm", plain("\0alice\0alicepw"));
    }
}
