package org.sasldb4j.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A user of the store: an authid and a realm, as raw bytes.
 *
 * <p>{@link #parse} follows saslpasswd2: the id is split at the <em>first</em> {@code @}; without
 * one the given default realm applies. So an authid never contains {@code @}, a realm may
 * ({@code erin@sales@example.org} is user {@code erin} in realm {@code sales@example.org}).
 * Nothing is trimmed or case-folded.
 */
public final class UserId {
    private final byte[] authid;
    private final byte[] realm;

    private UserId(byte[] authid, byte[] realm) {
        this.authid = authid;
        this.realm = realm;
    }

    /** A user from UTF-8 strings. */
    public static UserId of(String authid, String realm) {
        return ofBytes(authid.getBytes(StandardCharsets.UTF_8), realm.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A user from raw bytes (copied). An authid containing {@code @} cannot be made by
     * {@link #parse} but may exist in files written by other tools, so it is accepted here.
     *
     * @throws IllegalArgumentException if either contains NUL
     */
    public static UserId ofBytes(byte[] authid, byte[] realm) {
        for (byte b : authid) {
            if (b == 0) {
                throw new IllegalArgumentException("a user id cannot contain a NUL byte");
            }
        }
        for (byte b : realm) {
            if (b == 0) {
                throw new IllegalArgumentException("a realm cannot contain a NUL byte");
            }
        }
        return new UserId(authid.clone(), realm.clone());
    }

    /**
     * Splits {@code id} at its first {@code @}; without one, {@code defaultRealm} is the realm.
     *
     * @param id the user id as typed, e.g. {@code alice} or {@code alice@example.org}
     * @param defaultRealm the realm for an id without {@code @}
     * @throws IllegalArgumentException if the id contains a NUL character
     */
    public static UserId parse(String id, String defaultRealm) {
        if (id.indexOf('\0') >= 0 || defaultRealm.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a user id cannot contain a NUL character");
        }
        int at = id.indexOf('@');
        if (at < 0) {
            return of(id, defaultRealm);
        }
        return of(id.substring(0, at), id.substring(at + 1));
    }

    /** True if {@code id} names its own realm (contains {@code @}). */
    public static boolean hasRealm(String id) {
        return id.indexOf('@') >= 0;
    }

    /**
     * The realm Cyrus makes of a host name, for saslpasswd2's default realm and a server's FQDN:
     * {@code sasl_strlower} lowercases the bytes {@code A-Z} and leaves every other byte alone.
     * So only ASCII letters change, whatever the default locale (no Turkish dotless i), non-ASCII
     * letters keep their case, and nothing else is touched (no re-encoding: an unpaired surrogate
     * stays as it is).
     */
    public static String realmOfHost(String host) {
        StringBuilder b = null;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (b == null) {
                    b = new StringBuilder(host);
                }
                b.setCharAt(i, (char) (c + ('a' - 'A')));
            }
        }
        return b == null ? host : b.toString();
    }

    public byte[] authidBytes() {
        return authid.clone();
    }

    /** The authid array itself, for {@link Entry}, which never changes it. */
    byte[] authidRef() {
        return authid;
    }

    /** The realm array itself, for {@link Entry}, which never changes it. */
    byte[] realmRef() {
        return realm;
    }

    public byte[] realmBytes() {
        return realm.clone();
    }

    public String authid() {
        return new String(authid, StandardCharsets.UTF_8);
    }

    public String realm() {
        return new String(realm, StandardCharsets.UTF_8);
    }

    /** The key prefix {@code authid \0 realm \0} shared by all of this user's records. */
    public byte[] keyPrefix() {
        byte[] p = new byte[authid.length + realm.length + 2];
        System.arraycopy(authid, 0, p, 0, authid.length);
        System.arraycopy(realm, 0, p, authid.length + 1, realm.length);
        return p;
    }

    /** The key of one of this user's properties. */
    public byte[] key(String property) {
        return Entry.keyOf(authid, realm, Entry.utf8(property));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserId u && Arrays.equals(authid, u.authid) && Arrays.equals(realm, u.realm);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(authid) + Arrays.hashCode(realm);
    }

    /** {@code authid@realm}, as sasldblistusers2 prints users. */
    @Override
    public String toString() {
        return authid() + "@" + realm();
    }
}
