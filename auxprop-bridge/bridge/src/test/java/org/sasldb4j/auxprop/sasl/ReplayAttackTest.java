package org.sasldb4j.auxprop.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
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
import org.junit.jupiter.params.provider.CsvSource;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.TestStore;

/**
 * Attack replays (docs/security.md): an eavesdropper who recorded one successful challenge-
 * response exchange (SCRAM, CRAM-MD5, DIGEST-MD5) sends it again, or a man in the middle
 * rewrites the SCRAM nonce. Every server challenge must be fresh and bound into the proof, so
 * each replay fails, while the recorded exchange itself succeeded.
 */
@Tag("attack")
class ReplayAttackTest {
    @TempDir
    Path dir;
    AuxpropBridge bridge;

    @BeforeEach
    void open() {
        bridge = TestStore.in(dir).put("alice", "vm", "userPassword", "alicepw").bridge();
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    private SaslServer server(String mech) throws SaslException {
        return new BridgeSaslServerFactory().createSaslServer(mech, "smtp", "vm", Map.of(),
                BridgeCallbackHandler.of(bridge));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A complete SCRAM exchange by hand: [client-first, server-first, client-final]. */
    private List<String> recordScram(String mech, String hash, String clientNonce) throws Exception {
        SaslServer s = server(mech);
        String first = "n,,n=alice,r=" + clientNonce;
        String serverFirst = s(s.evaluateResponse(b(first)));
        String fin = ScramByHand.clientFinal(hash, "alicepw", "n,,", first.substring(3), serverFirst, null);
        s.evaluateResponse(b(fin));
        assertTrue(s.isComplete(), "the recorded exchange itself succeeds");
        return List.of(first, serverFirst, fin);
    }

    @ParameterizedTest
    @CsvSource({"SCRAM-SHA-1, SHA-1", "SCRAM-SHA-256, SHA-256"})
    void replayedScramClientFinalFails(String mech, String hash) throws Exception {
        List<String> recorded = recordScram(mech, hash, "fixedclientnonce");
        for (int i = 0; i < 3; i++) {
            SaslServer s = server(mech);
            String serverFirst = s(s.evaluateResponse(b(recorded.get(0))));
            assertNotEquals(recorded.get(1), serverFirst, "the server nonce is fresh");
            SaslException e = assertThrows(SaslException.class, () -> s.evaluateResponse(b(recorded.get(2))));
            assertTrue(e.getMessage().contains("nonce"), e.getMessage());
            assertFalse(s.isComplete());
        }
    }

    @ParameterizedTest
    @CsvSource({"SCRAM-SHA-1, SHA-1", "SCRAM-SHA-256, SHA-256"})
    void recordedProofUnderTheNewNonceFails(String mech, String hash) throws Exception {
        // The attacker keeps the recorded proof and writes in the nonce the new server sent.
        List<String> recorded = recordScram(mech, hash, "fixedclientnonce");
        SaslServer s = server(mech);
        String serverFirst = s(s.evaluateResponse(b(recorded.get(0))));
        String oldProof = recorded.get(2).substring(recorded.get(2).lastIndexOf(",p="));
        String forged = "c=biws,r=" + ScramByHand.attribute(serverFirst, 'r') + oldProof;
        SaslException e = assertThrows(SaslException.class, () -> s.evaluateResponse(b(forged)));
        assertTrue(e.getMessage().contains("invalid-proof"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"SCRAM-SHA-1, SHA-1", "SCRAM-SHA-256, SHA-256"})
    void tamperedScramNonceFails(String mech, String hash) throws Exception {
        // Even a proof that is right for the nonce sent (the client knows the password) is refused
        // when that nonce is not the one the server issued: dropped, shortened, extended, another
        // server part, another client part.
        SaslServer probe = server(mech);
        String first = "n,,n=alice,r=clientpart";
        String issued = ScramByHand.attribute(s(probe.evaluateResponse(b(first))), 'r');
        List<String> tampered = List.of("clientpart", issued.substring(0, issued.length() - 1), issued + "A",
                "clientpart" + "A".repeat(issued.length() - "clientpart".length()),
                "otherclient" + issued.substring("clientpart".length()));
        for (String nonce : tampered) {
            SaslServer s = server(mech);
            String serverFirst = s(s.evaluateResponse(b(first)));
            String fin = ScramByHand.clientFinal(hash, "alicepw", "n,,", first.substring(3), serverFirst, nonce);
            SaslException e = assertThrows(SaslException.class, () -> s.evaluateResponse(b(fin)), nonce);
            assertTrue(e.getMessage().contains("nonce"), e.getMessage());
        }
        // control: the untampered message with the same code succeeds
        SaslServer s = server(mech);
        String serverFirst = s(s.evaluateResponse(b(first)));
        s.evaluateResponse(b(ScramByHand.clientFinal(hash, "alicepw", "n,,", first.substring(3), serverFirst, null)));
        assertTrue(s.isComplete());
    }

    @Test
    void secondClientFinalOnTheSameExchangeFails() throws Exception {
        SaslServer s = server("SCRAM-SHA-256");
        String first = "n,,n=alice,r=abcdef";
        String serverFirst = s(s.evaluateResponse(b(first)));
        String fin = ScramByHand.clientFinal("SHA-256", "alicepw", "n,,", first.substring(3), serverFirst, null);
        s.evaluateResponse(b(fin));
        assertThrows(SaslException.class, () -> s.evaluateResponse(b(fin)));
    }

    @Test
    void replayedCramMd5ResponseFails() throws Exception {
        SaslServer original = server("CRAM-MD5");
        SaslClient client = Exchange.jdkClient("CRAM-MD5", null, "alice", "alicepw");
        byte[] challenge = original.evaluateResponse(new byte[0]);
        byte[] response = client.evaluateChallenge(challenge);
        assertNull(original.evaluateResponse(response));
        assertEquals("alice@vm", original.getAuthorizationID());

        List<String> challenges = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            SaslServer s = server("CRAM-MD5");
            String next = s(s.evaluateResponse(new byte[0]));
            assertFalse(challenges.contains(next) || next.equals(s(challenge)), "challenge repeated: " + next);
            challenges.add(next);
            assertThrows(SaslException.class, () -> s.evaluateResponse(response));
        }
    }

    @Test
    void replayedDigestMd5ResponseFails() throws Exception {
        SaslServer original = server("DIGEST-MD5");
        SaslClient client = Sasl.createSaslClient(new String[] {"DIGEST-MD5"}, null, "smtp", "vm", Map.of(),
                Exchange.clientCallbacks("alice", "alicepw"));
        byte[] challenge = original.evaluateResponse(new byte[0]);
        byte[] response = client.evaluateChallenge(challenge);
        byte[] rspauth = original.evaluateResponse(response);
        assertTrue(original.isComplete());
        client.evaluateChallenge(rspauth);

        SaslServer s = server("DIGEST-MD5");
        byte[] fresh = s.evaluateResponse(new byte[0]);
        assertNotEquals(s(challenge), s(fresh), "the server nonce is fresh");
        assertThrows(SaslException.class, () -> s.evaluateResponse(response));
        assertFalse(s.isComplete());
    }
}
