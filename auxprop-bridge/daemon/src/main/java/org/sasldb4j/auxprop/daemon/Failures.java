package org.sasldb4j.auxprop.daemon;

import java.util.concurrent.TimeoutException;
import org.sasldb4j.store.StoreException;

/** Tells temporary failures (answer "try later") from authentication failures. */
final class Failures {
    private Failures() {}

    /**
     * True if {@code t} or one of its causes says the credentials could not be consulted, as
     * opposed to a definite "no": Postfix then answers 454 instead of 535, and the client retries
     * instead of treating the password as wrong.
     */
    static boolean isTemporary(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TemporaryFailureException || c instanceof StoreException
                    || c instanceof TimeoutException || c instanceof java.io.UncheckedIOException
                    || c instanceof OutOfMemoryError) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /** A short description for logs: class names only, since messages could echo client input. */
    static String describe(Throwable t) {
        StringBuilder b = new StringBuilder(t.getClass().getSimpleName());
        int depth = 0;
        for (Throwable c = t.getCause(); c != null && depth < 4; c = c.getCause(), depth++) {
            b.append(" <- ").append(c.getClass().getSimpleName());
        }
        return b.toString();
    }
}
