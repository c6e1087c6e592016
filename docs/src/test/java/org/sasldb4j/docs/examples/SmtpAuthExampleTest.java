package org.sasldb4j.docs.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.AuthenticationFailedException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@link SmtpAuthExample}: Angus Mail against SubEthaSMTP on the bridge, on 127.0.0.1. */
class SmtpAuthExampleTest {
    @TempDir
    Path dir;
    SmtpAuthExample example;

    @BeforeEach
    void start() {
        example = new SmtpAuthExample(dir);
    }

    @AfterEach
    void stop() {
        example.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"PLAIN", "LOGIN", "CRAM-MD5"})
    void rightPasswordDelivers(String mechanism) throws Exception {
        example.send(mechanism, "alice", "wonderland");
        assertEquals(1, example.delivered.size());
        assertTrue(example.delivered.get(0).endsWith("(authenticated as alice@mail.example.org)"), example.delivered.get(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"PLAIN", "LOGIN", "CRAM-MD5"})
    void wrongPasswordAndUnknownUserAreRefused(String mechanism) {
        AuthenticationFailedException wrong = assertThrows(AuthenticationFailedException.class,
                () -> example.send(mechanism, "alice", "looking-glass"));
        AuthenticationFailedException unknown = assertThrows(AuthenticationFailedException.class,
                () -> example.send(mechanism, "mallory", "wonderland"));
        if (!mechanism.equals("CRAM-MD5")) {
            // Angus's SASL path reports only "failed to connect"; its built-ins quote the reply
            assertTrue(wrong.getMessage().contains("535 5.7.8"), wrong.getMessage());
        }
        assertEquals(wrong.getMessage(), unknown.getMessage());
        assertTrue(example.delivered.isEmpty());
    }
}
