package org.sasldb4j.auxprop;

import java.util.Objects;
import org.sasldb4j.store.UserId;

/**
 * A user name after Cyrus server-side canonicalisation (docs/reference/cyrus-sasldb.md §2.2): trimmed, split at
 * the first {@code @}, realm defaulted. This is the key under which the store is searched.
 *
 * <p>Immutable. User names are not secrets; {@link #toString()} prints {@code authid@realm}.
 */
public final class CanonicalUser {
    private final String authid;
    private final String realm;

    CanonicalUser(String authid, String realm) {
        this.authid = Objects.requireNonNull(authid);
        this.realm = Objects.requireNonNull(realm);
    }

    /** The part before the first {@code @} (never contains {@code @}). */
    public String authid() {
        return authid;
    }

    /** The realm: the part after the first {@code @}, or the defaulted realm; may be empty. */
    public String realm() {
        return realm;
    }

    /** The store key prefix this user's records live under. */
    public UserId userId() {
        return UserId.of(authid, realm);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CanonicalUser u && u.authid.equals(authid) && u.realm.equals(realm);
    }

    @Override
    public int hashCode() {
        return authid.hashCode() * 31 + realm.hashCode();
    }

    /** {@code authid@realm}, as Cyrus's canonicalised name. */
    @Override
    public String toString() {
        return authid + "@" + realm;
    }
}
