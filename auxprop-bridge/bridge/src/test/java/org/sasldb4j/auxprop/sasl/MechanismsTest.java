package org.sasldb4j.auxprop.sasl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.Security;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.BridgeConfig;
import org.sasldb4j.auxprop.TestStore;
import org.sasldb4j.store.secret.CramMd5Context;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretSchemes;

/** PLAIN, LOGIN, CRAM-MD5 and DIGEST-MD5 against the JDK's SASL clients, through the provider. */
class MechanismsTest {
    @TempDir
    Path dir;
    AuxpropBridge bridge;
    BridgeCallbackHandler handler;

    @BeforeAll
    static void provider() {
        if (Security.getProvider(SaslDb4jProvider.NAME) == null) {
            Security.insertProviderAt(new SaslDb4jProvider(), 1);
        }
    }

    @BeforeEach
    void open() {
        bridge = TestStore.in(dir)
                .put("ivy", "vm", "userPassword", "s3cret pw")
                .put("jürgen", "vm", "userPassword", "pässwort")
                .put("ctx", "vm", SecretProperties.CRAM_MD5, CramMd5Context.fromPassword("tanstaaftanstaaf".toCharArray()).toDovecot())
                .put("tim", "vm", "cmusaslsecretCRAM-MD5", CramMd5Context.fromPassword("tanstaaftanstaaf".toCharArray()).toCyrusLegacy())
                .put("hashed", "vm", SecretProperties.ARGON2ID, SecretSchemes.argon2id(TestStore.CHEAP).encode("h4shed".toCharArray()))
                .put("dis", "vm", "userPassword", "right")
                .put("dis", "vm", SecretProperties.DISABLED, "disabled")
                .bridge();
        handler = BridgeCallbackHandler.of(bridge);
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    private SaslServer server(String mech) throws SaslException {
        SaslServer s = Sasl.createSaslServer(mech, "smtp", "vm", Map.of(), handler);
        assertNotNull(s, mech);
        return s;
    }

    private void ok(String mech, String user, String password, String expectedId) throws SaslException {
        SaslServer s = server(mech);
        Exchange.run(Exchange.jdkClient(mech, null, user, password), s);
        assertTrue(s.isComplete());
        assertEquals(expectedId, s.getAuthorizationID());
        assertEquals(mech, s.getMechanismName());
    }

    private void fails(String mech, String user, String password) {
        assertThrows(SaslException.class, () -> Exchange.run(Exchange.jdkClient(mech, null, user, password), server(mech)));
    }

    @Test
    void providerRegistersTheMechanisms() {
        var p = new SaslDb4jProvider();
        for (String m : List.of("PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256")) {
            assertNotNull(p.getService("SaslServerFactory", m), m);
        }
    }

    @Test
    void plainWithJdkClient() throws SaslException {
        ok("PLAIN", "ivy", "s3cret pw", "ivy@vm");
        ok("PLAIN", "  ivy@vm ", "s3cret pw", "ivy@vm");
        ok("PLAIN", "jürgen", "pässwort", "jürgen@vm");
        ok("PLAIN", "hashed", "h4shed", "hashed@vm");
        fails("PLAIN", "ivy", "wrong");
        fails("PLAIN", "ghost", "s3cret pw");
        fails("PLAIN", "dis", "right");
    }

    @Test
    void plainAuthorizationIdNeedsThePolicy() throws SaslException {
        SaslServer s = server("PLAIN");
        assertThrows(SaslException.class,
                () -> Exchange.run(Exchange.jdkClient("PLAIN", "jürgen", "ivy", "s3cret pw"), s));
        SaslServer same = server("PLAIN");
        Exchange.run(Exchange.jdkClient("PLAIN", "ivy@vm", "ivy", "s3cret pw"), same);
        assertEquals("ivy@vm", same.getAuthorizationID());

        bridge.close(); // LMDB forbids two environments on one file in one process
        try (AuxpropBridge admin = AuxpropBridge.open(dir.resolve("sasldb.lmdb"),
                BridgeConfig.of("vm").withPolicy(TestStore.POLICY).withAuthorization((who, as) -> who.authid().equals("ivy")))) {
            SaslServer proxy = Sasl.createSaslServer("PLAIN", "smtp", "vm", null, BridgeCallbackHandler.of(admin));
            Exchange.run(Exchange.jdkClient("PLAIN", "jürgen", "ivy", "s3cret pw"), proxy);
            assertEquals("jürgen@vm", proxy.getAuthorizationID());
        }
        open();
    }

    @Test
    void cramMd5WithJdkClientFromPlaintextAndStoredContexts() throws SaslException {
        ok("CRAM-MD5", "ivy", "s3cret pw", "ivy@vm");
        ok("CRAM-MD5", "ctx", "tanstaaftanstaaf", "ctx@vm");
        ok("CRAM-MD5", "tim", "tanstaaftanstaaf", "tim@vm");
        fails("CRAM-MD5", "ivy", "wrong");
        fails("CRAM-MD5", "ghost", "x");
        fails("CRAM-MD5", "dis", "right");
        fails("CRAM-MD5", "hashed", "h4shed"); // Argon2 cannot serve CRAM-MD5
    }

    @Test
    void cramMd5Rfc2195Vector() throws SaslException {
        CramMd5Server s = new CramMd5Server(bridge, null, () -> "<1896.697170952@postoffice.reston.mci.net>");
        byte[] challenge = s.evaluateResponse(new byte[0]);
        assertArrayEquals(Exchange.utf8("<1896.697170952@postoffice.reston.mci.net>"), challenge);
        assertNull(s.evaluateResponse(Exchange.utf8("tim b913a602c7eda7a495b4e6e7334d3890")));
        assertEquals("tim@vm", s.getAuthorizationID());
        CramMd5Server upper = new CramMd5Server(bridge, null, () -> "<1896.697170952@postoffice.reston.mci.net>");
        upper.evaluateResponse(new byte[0]);
        upper.evaluateResponse(Exchange.utf8("tim B913A602C7EDA7A495B4E6E7334D3890"));
        assertTrue(upper.isComplete());
    }

    @Test
    void digestMd5ViaTheJdkServerFedByTheHandler() throws SaslException {
        ok("DIGEST-MD5", "ivy", "s3cret pw", "ivy@vm");
        ok("DIGEST-MD5", "jürgen", "pässwort", "jürgen@vm");
        fails("DIGEST-MD5", "ivy", "wrong");
        fails("DIGEST-MD5", "ghost", "x");
        fails("DIGEST-MD5", "dis", "right");
        fails("DIGEST-MD5", "ctx", "tanstaaftanstaaf"); // DIGEST-MD5 needs the plaintext
    }

    @Test
    void loginByHand() throws SaslException {
        SaslServer s = server("LOGIN");
        assertArrayEquals(Exchange.utf8("Username:"), s.evaluateResponse(new byte[0]));
        assertArrayEquals(Exchange.utf8("Password:"), s.evaluateResponse(Exchange.utf8("ivy")));
        assertNull(s.evaluateResponse(Exchange.utf8("s3cret pw")));
        assertEquals("ivy@vm", s.getAuthorizationID());

        SaslServer initial = server("LOGIN");
        assertArrayEquals(Exchange.utf8("Password:"), initial.evaluateResponse(Exchange.utf8("hashed")));
        initial.evaluateResponse(Exchange.utf8("h4shed"));
        assertTrue(initial.isComplete());

        SaslServer wrong = server("LOGIN");
        wrong.evaluateResponse(Exchange.utf8("ivy"));
        SaslException e = assertThrows(SaslException.class, () -> wrong.evaluateResponse(Exchange.utf8("nope")));
        assertTrue(e.getMessage().contains("authentication failed"));
        assertThrows(SaslException.class, () -> wrong.evaluateResponse(Exchange.utf8("s3cret pw")), "no retry");
    }

    @Test
    void failureMessagesDoNotTellUnknownFromWrong() {
        SaslException unknown = assertThrows(SaslException.class,
                () -> Exchange.run(Exchange.jdkClient("PLAIN", null, "ghost", "pw"), server("PLAIN")));
        SaslException wrong = assertThrows(SaslException.class,
                () -> Exchange.run(Exchange.jdkClient("PLAIN", null, "ivy", "pw"), server("PLAIN")));
        assertEquals(unknown.getMessage(), wrong.getMessage());
        assertTrue(!wrong.getMessage().contains("pw"));
    }

    @Test
    void factoryIgnoresForeignHandlersAndHonoursPolicies() throws SaslException {
        var f = new BridgeSaslServerFactory();
        assertNull(f.createSaslServer("PLAIN", "smtp", "vm", null, cbs -> {}));
        assertEquals(List.of("SCRAM-SHA-256", "SCRAM-SHA-1", "DIGEST-MD5", "CRAM-MD5"),
                Arrays.asList(f.getMechanismNames(Map.of(Sasl.POLICY_NOPLAINTEXT, "true"))));
        assertNull(f.createSaslServer("PLAIN", "smtp", "vm", Map.of(Sasl.POLICY_NOPLAINTEXT, "true"), handler));
        assertEquals(List.of("SCRAM-SHA-256", "SCRAM-SHA-1"), Arrays.asList(f.getMechanismNames(Map.of(Sasl.SERVER_AUTH, "true"))));
    }
}
