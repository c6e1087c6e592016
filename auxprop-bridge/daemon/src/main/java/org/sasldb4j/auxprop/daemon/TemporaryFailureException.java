package org.sasldb4j.auxprop.daemon;

import java.io.IOException;

/**
 * Authentication could not be attempted for a reason that may go away (the hashing queue was
 * full, the store could not be read). An {@link IOException} so that it can leave a
 * {@link javax.security.auth.callback.CallbackHandler} and reach the daemon as the cause of the
 * mechanism's {@link javax.security.sasl.SaslException}.
 */
public final class TemporaryFailureException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong; never contains a secret */
    public TemporaryFailureException(String message) {
        super(message);
    }

    /** @param message what went wrong; never contains a secret */
    public TemporaryFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
