package org.sasldb4j.auxprop.sasl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.security.sasl.SaslException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sasldb4j.auxprop.AuxpropBridge;
import org.sasldb4j.auxprop.CanonicalUser;
import org.sasldb4j.auxprop.TestStore;
import org.sasldb4j.store.secret.ScramVariant;

/** No password, stored value or derived key in any toString() or exception message. */
class NoSecretLeakTest {
    @TempDir
    Path dir;

    @Test
    void toStringsAndMessagesCarryNoSecret() throws Exception {
        String secret = "Sup3rSecretPw";
        List<String> texts = new ArrayList<>();
        try (AuxpropBridge b = TestStore.in(dir).put("ivy", "vm", "userPassword", secret).bridge()) {
            CanonicalUser ivy = b.canonicalize("ivy").orElseThrow();
            texts.add(b.toString());
            texts.add(b.lookup("ivy", null, false, List.of("*userPassword")).toString());
            texts.add(b.scramKeys(ivy, ScramVariant.SHA_256).orElseThrow().toString());
            texts.add(b.cramMd5Context(ivy).orElseThrow().toString());
            texts.add(PlainServer.parse(("\0ivy\0" + secret).getBytes(StandardCharsets.UTF_8)).toString());
            texts.add(BridgeCallbackHandler.of(b).toString());
            for (String wrongOrRight : List.of(secret + "x", secret)) {
                PlainServer s = new PlainServer(b, null);
                try {
                    s.evaluateResponse(("ivy@vm\0alice\0" + wrongOrRight).getBytes(StandardCharsets.UTF_8));
                } catch (SaslException e) {
                    texts.add(e.getMessage());
                }
                texts.add(s.toString());
            }
            LoginServer l = new LoginServer(b, null);
            l.evaluateResponse("ivy".getBytes(StandardCharsets.UTF_8));
            SaslException e = assertThrows(SaslException.class,
                    () -> l.evaluateResponse((secret + "!").getBytes(StandardCharsets.UTF_8)));
            texts.add(e.getMessage());
        }
        for (String t : texts) {
            assertFalse(t.contains(secret), t);
        }
    }
}
