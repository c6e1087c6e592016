package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The login names read out of client messages for the log, including hostile bytes. */
class LoginSnifferTest {
    @Test
    void digestMd5UserNameIsReadFromTheResponse() {
        assertEquals("alice", sniff("DIGEST-MD5", "charset=utf-8,username=\"alice\",realm=\"example.org\",nonce=\"x\""));
        assertEquals("al\"ice", sniff("DIGEST-MD5", "username=\"al\\\"ice\",realm=\"r\""));
        assertNull(sniff("DIGEST-MD5", "realm=\"r\",xusername=\"mallory\""));
        assertNull(sniff("DIGEST-MD5", "username=\"unterminated"));
    }

    @Test
    void randomBytesNeverThrowAndNamesStayBounded() {
        Random r = new Random(12);
        for (String mech : Mechanism.KNOWN.keySet()) {
            for (int i = 0; i < 20_000; i++) {
                byte[] m = new byte[r.nextInt(600)];
                r.nextBytes(m);
                if (i % 3 == 0 && m.length > 12) {
                    System.arraycopy("username=\"".getBytes(StandardCharsets.US_ASCII), 0, m, 0, 10);
                }
                LoginSniffer s = new LoginSniffer(mech);
                s.observe(m);
                s.observe(m);
                assertTrue(s.login() == null || s.login().length() <= 600, mech);
            }
        }
    }

    private static String sniff(String mech, String message) {
        LoginSniffer s = new LoginSniffer(mech);
        s.observe(message.getBytes(StandardCharsets.UTF_8));
        return s.login();
    }
}
