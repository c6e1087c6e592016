package org.sasldb4j.store.secret;

/**
 * A stored secret value does not have the format its property or scheme prescribes.
 *
 * <p>Thrown by every parser of stored values in this package, and only by them. Random bytes given
 * to a parser produce either this exception or a well-defined verification result, never another
 * exception (see the parser fuzz tests).
 *
 * <p><b>Security:</b> the message names the field that is wrong ("salt is not valid base64"),
 * never the stored text or any part of it: stored values are secrets or password-equivalent.
 */
public final class MalformedSecretException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public MalformedSecretException(String message) {
        super(message);
    }
}
