package org.sasldb4j.auxprop.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.AuthorizeCallback;
import javax.security.sasl.RealmCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/**
 * An application embedding the provider with JDK logging at FINEST: the JDK's DIGEST-MD5 server
 * logs {@code H(user:realm:password)} to {@code javax.security.sasl} at FINE. Creating the provider
 * caps that logger, so the same exchange then logs nothing below INFO.
 */
@Tag("attack")
class ProviderLogCapTest {
    @Test
    @ResourceLock(Resources.GLOBAL)
    void creatingTheProviderCapsTheJdkSaslLoggers() throws Exception {
        Logger sasl = Logger.getLogger("javax.security.sasl");
        Level before = sasl.getLevel();
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        capture.setLevel(Level.ALL);
        sasl.addHandler(capture);
        try {
            sasl.setLevel(Level.FINEST);
            digestMd5Exchange();
            // Control: without the cap the JDK logs below INFO (what leaked H(A1)).
            assertTrue(records.stream().anyMatch(r -> r.getLevel().intValue() < Level.INFO.intValue()),
                    "the JDK's DIGEST-MD5 logged nothing at FINEST: this test would prove nothing");

            new SaslDb4jProvider();
            assertEquals(Level.INFO, sasl.getLevel());
            assertEquals(Level.INFO, Logger.getLogger("com.sun.security.sasl").getLevel());
            records.clear();
            digestMd5Exchange();
            assertFalse(records.stream().anyMatch(r -> r.getLevel().intValue() < Level.INFO.intValue()),
                    "a record below INFO after the cap: " + records.stream().map(LogRecord::getMessage).toList());
        } finally {
            sasl.removeHandler(capture);
            sasl.setLevel(before == null || before.intValue() < Level.INFO.intValue() ? Level.INFO : before);
        }
    }

    /** One JDK DIGEST-MD5 exchange (server and client both the JDK's), password "alicepw". */
    private static void digestMd5Exchange() throws Exception {
        SaslServer server = Sasl.createSaslServer("DIGEST-MD5", "smtp", "example.org", Map.of(), cbs -> {
            for (Callback cb : cbs) {
                if (cb instanceof PasswordCallback pw) {
                    pw.setPassword("alicepw".toCharArray());
                } else if (cb instanceof AuthorizeCallback a) {
                    a.setAuthorized(a.getAuthenticationID().equals(a.getAuthorizationID()));
                } else if (cb instanceof RealmCallback r) {
                    r.setText(r.getDefaultText());
                }
            }
        });
        SaslClient client = Sasl.createSaslClient(new String[] {"DIGEST-MD5"}, null, "smtp", "example.org",
                Map.of(), cbs -> {
                    for (Callback cb : cbs) {
                        if (cb instanceof NameCallback n) {
                            n.setName("alice");
                        } else if (cb instanceof PasswordCallback pw) {
                            pw.setPassword("alicepw".toCharArray());
                        } else if (cb instanceof RealmCallback r) {
                            r.setText(r.getDefaultText());
                        }
                    }
                });
        byte[] challenge = server.evaluateResponse(new byte[0]);
        byte[] response = client.evaluateChallenge(challenge);
        byte[] rspauth = server.evaluateResponse(response);
        client.evaluateChallenge(rspauth);
        assertTrue(server.isComplete(), new String(rspauth, StandardCharsets.UTF_8));
        server.dispose();
        client.dispose();
    }
}
