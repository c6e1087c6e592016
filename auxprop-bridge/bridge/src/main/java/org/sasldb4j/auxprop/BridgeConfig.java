package org.sasldb4j.auxprop;

import java.util.Objects;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.SecretSet;

/**
 * How the bridge canonicalises names, verifies passwords and serves mechanisms.
 *
 * @param serverFqdn the default realm for names without {@code @} when there is no user realm:
 *     Cyrus's {@code serverFQDN}, lowercased here as {@code sasl_strlower} does. Configure it
 *     explicitly; Cyrus's three sources of it disagree (defect D6 of docs/reference/cyrus-sasldb.md §14).
 * @param userRealm the {@code user_realm} of {@code sasl_server_new}, or null for none. An empty
 *     string is a realm too: {@code frank} is then looked up as {@code frank@} (docs/reference/cyrus-sasldb.md §2.2).
 * @param authorization who may act as whom (see {@link AuthorizationPolicy})
 * @param scramIterations the iteration count used when SCRAM keys are derived from a plaintext
 *     {@code userPassword} (Cyrus: {@code scram_iteration_counter}, default 4096)
 * @param policy the secrets the store is meant to hold: what "needs rehash" is judged against,
 *     and what an unknown user's dummy verification costs. <b>Security:</b> choose the policy
 *     the store's users were written with ({@link SecretSet#PLAINTEXT} for a Cyrus store,
 *     {@link SecretSet#HASHED} for {@code saslpasswd -n}); otherwise unknown users take a
 *     measurably different time than known ones.
 */
public record BridgeConfig(String serverFqdn, String userRealm, AuthorizationPolicy authorization,
        int scramIterations, SecretSet policy) {
    /** Cyrus's and RFC 7677's default SCRAM iteration count. */
    public static final int DEFAULT_SCRAM_ITERATIONS = 4096;

    public BridgeConfig {
        Objects.requireNonNull(serverFqdn, "serverFqdn");
        Objects.requireNonNull(authorization, "authorization");
        Objects.requireNonNull(policy, "policy");
        serverFqdn = UserId.realmOfHost(serverFqdn);
        if (serverFqdn.indexOf('\0') >= 0 || (userRealm != null && userRealm.indexOf('\0') >= 0)) {
            throw new IllegalArgumentException("a realm cannot contain NUL");
        }
        if (scramIterations < 1 || scramIterations > 1_000_000) {
            throw new IllegalArgumentException("scramIterations outside [1, 1000000]");
        }
    }

    /** No user realm, same-user authorization, 4096 SCRAM iterations, the {@link SecretSet#HASHED} policy. */
    public static BridgeConfig of(String serverFqdn) {
        return new BridgeConfig(serverFqdn, null, AuthorizationPolicy.SAME_USER, DEFAULT_SCRAM_ITERATIONS,
                SecretSet.HASHED);
    }

    public BridgeConfig withUserRealm(String realm) {
        return new BridgeConfig(serverFqdn, realm, authorization, scramIterations, policy);
    }

    public BridgeConfig withAuthorization(AuthorizationPolicy p) {
        return new BridgeConfig(serverFqdn, userRealm, p, scramIterations, policy);
    }

    public BridgeConfig withScramIterations(int iterations) {
        return new BridgeConfig(serverFqdn, userRealm, authorization, iterations, policy);
    }

    public BridgeConfig withPolicy(SecretSet p) {
        return new BridgeConfig(serverFqdn, userRealm, authorization, scramIterations, p);
    }
}
