package org.sasldb4j.auxprop;

/**
 * Decides whether an authenticated user may act as a different authorization identity (the
 * {@code authzid} of PLAIN, SCRAM and DIGEST-MD5).
 *
 * <p>The default, {@link #SAME_USER}, is Cyrus's default {@code authorize} without a proxy
 * policy: both names are canonicalised the same way and must be equal. An empty authzid always
 * means "the authenticated user" and never reaches the policy.
 *
 * <p><b>Security:</b> a permissive policy lets one account act for another (a proxy or
 * administrator login); grant it to named accounts only.
 */
@FunctionalInterface
public interface AuthorizationPolicy {

    /** Only the authenticated user itself. */
    AuthorizationPolicy SAME_USER = (authenticated, requested) -> authenticated.equals(requested);

    /**
     * @param authenticated the canonical authentication identity, whose password was checked
     * @param requested the canonical authorization identity the client asked for
     * @return true to let {@code authenticated} act as {@code requested}
     */
    boolean permits(CanonicalUser authenticated, CanonicalUser requested);
}
