package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import org.junit.jupiter.api.Test;
import org.sasldb4j.store.LogLines;

/** The login seam: one log line per event with its reason, observers told in order, a throwing one contained. */
class LoginObserversTest {
    private final List<String> logged = new ArrayList<>();

    @Test
    void logLineCarriesResultReasonAndCause() {
        AuthContext c = new AuthContext("dovecot", "smtp", "192.0.2.7");
        List<String> lines = capture(() -> {
            LoginObservers o = LoginObservers.withLog();
            o.finished(LoginEvent.ok(c, "PLAIN", "alice@example.org"));
            o.finished(LoginEvent.ended(c, "PLAIN", "bob\nforged", LoginResult.FAIL, FailureReason.WRONG_PASSWORD));
            o.finished(LoginEvent.temporary(c, "SCRAM-SHA-256", null, "StoreException"));
        });
        assertEquals(List.of(
                "INFO auth dovecot: mech=PLAIN user=alice@example.org result=ok rip=192.0.2.7 service=smtp",
                "INFO auth dovecot: mech=PLAIN user=- login=bob?forged result=fail reason=wrong_password rip=192.0.2.7 service=smtp",
                "WARNING auth dovecot: mech=SCRAM-SHA-256 user=- login=- result=tempfail reason=temporary cause=StoreException"
                        + " rip=192.0.2.7 service=smtp"), lines);
    }

    @Test
    void observersAreToldInOrderAndAThrowingOneDoesNotStopTheOthers() {
        List<String> seen = new ArrayList<>();
        LoginObservers o = new LoginObservers();
        o.add(e -> seen.add("first " + e.result().word()));
        o.add(e -> {
            throw new IllegalStateException("broken observer");
        });
        o.add(e -> seen.add("third " + e.reason().word()));
        AuthContext c = new AuthContext("saslauthd", null, null);
        capture(() -> o.finished(LoginEvent.ended(c, "saslauthd", "u", LoginResult.EXPIRED, FailureReason.TIMED_OUT)));
        assertEquals(List.of("first expired", "third timed_out"), seen);
    }

    @Test
    void aReasonIsGivenExactlyWhenTheLoginFailed() {
        AuthContext c = new AuthContext("dovecot", "smtp", "");
        assertThrows(IllegalArgumentException.class,
                () -> LoginEvent.ended(c, "PLAIN", "u", LoginResult.FAIL, null));
        assertThrows(IllegalArgumentException.class,
                () -> new LoginEvent(c, "PLAIN", "u", LoginResult.OK, FailureReason.UNSPECIFIED, null, 0));
    }

    private List<String> capture(Runnable r) {
        Handler h = new LogLines(logged, m -> m.startsWith("auth ") || m.startsWith("login observer"));
        AuthLog.LOGGER.addHandler(h);
        try {
            r.run();
        } finally {
            AuthLog.LOGGER.removeHandler(h);
        }
        synchronized (logged) {
            return new ArrayList<>(logged);
        }
    }
}
