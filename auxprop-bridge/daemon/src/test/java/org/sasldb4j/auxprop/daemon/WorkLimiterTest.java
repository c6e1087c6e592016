package org.sasldb4j.auxprop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the metrics read from the hashing budget: memory in use, grants and timeouts, counted. */
class WorkLimiterTest {
    @Test
    void countsMemoryInUseGrantsAndTimeouts() throws Exception {
        WorkLimiter l = new WorkLimiter(100, 60, Duration.ZERO);
        assertEquals(100, l.budgetKib());
        assertEquals(0, l.inUseKib());
        try (WorkLimiter.Lease a = l.acquire()) {
            assertEquals(60, l.inUseKib());
            assertThrows(TemporaryFailureException.class, l::acquire, "40 KiB left, 60 needed");
            assertEquals(1, l.timedOutCount());
            try (WorkLimiter.Lease b = l.acquire(40)) {
                assertEquals(100, l.inUseKib());
            }
        }
        assertEquals(0, l.inUseKib());
        assertEquals(2, l.grantedCount());
        assertEquals(0, l.queued());
        assertTrue(l.waitedNanos() >= 0);
    }
}
