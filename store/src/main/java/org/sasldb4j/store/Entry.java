package org.sasldb4j.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One record of the Cyrus sasldb keyspace: {@code (authid, realm, property) -> value}.
 *
 * <p>On disk the key is {@code authid \0 realm \0 property} with no trailing NUL and the value is
 * raw bytes. Components are raw bytes too: no case folding, trimming or normalisation. Authid and
 * realm never contain NUL; the property never contains NUL. The realm may be empty, and so may
 * the authid (Cyrus writes such keys for {@code @realm}).
 *
 * <p>Instances are immutable: accessors return copies.
 *
 * <p><b>Security:</b> the value may be a password. {@link #toString()} shows the key only, and
 * {@link #equals}/{@link #hashCode} are identity-based so that values never end up in hash
 * tables or logs by accident. Use {@link #sameAs(Entry)} to compare contents.
 */
public final class Entry {
    /** Longest key LMDB accepts with its default settings (and Cyrus's LMDB backend with it). */
    public static final int MAX_KEY_LENGTH = 511;

    private final byte[] authid;
    private final byte[] realm;
    private final byte[] property;
    private final byte[] value;

    private Entry(byte[] authid, byte[] realm, byte[] property, byte[] value) {
        this.authid = authid;
        this.realm = realm;
        this.property = property;
        this.value = value;
    }

    /**
     * A record from raw components, copied.
     *
     * @throws IllegalArgumentException if a component contains a NUL byte or the property is empty
     */
    public static Entry of(byte[] authid, byte[] realm, byte[] property, byte[] value) {
        checkComponent("user id", authid);
        checkComponent("realm", realm);
        checkComponent("property", property);
        if (property.length == 0) {
            throw new IllegalArgumentException("the property name is empty");
        }
        return new Entry(authid.clone(), realm.clone(), property.clone(), value.clone());
    }

    /** A record for {@code user}, with a UTF-8 property name; the value is copied. */
    public static Entry of(UserId user, String property, byte[] value) {
        byte[] p = utf8(property);
        checkComponent("property", p);
        if (p.length == 0) {
            throw new IllegalArgumentException("the property name is empty");
        }
        // A UserId holds no NUL and never changes: its arrays are shared, not copied again.
        return new Entry(user.authid(true), user.realm(true), p, value.clone());
    }

    /**
     * Splits a raw key at its two NUL bytes.
     *
     * @throws MalformedKeyException if the key does not contain exactly two NUL bytes or has an
     *     empty property name
     */
    public static Entry fromKey(byte[] key, byte[] value) {
        int first = indexOf(key, 0);
        int second = first < 0 ? -1 : indexOf(key, first + 1);
        if (first < 0 || second < 0 || indexOf(key, second + 1) >= 0) {
            throw new MalformedKeyException(
                    "key of " + key.length + " bytes does not contain exactly two NUL bytes");
        }
        if (second == key.length - 1) {
            throw new MalformedKeyException("key has an empty property name");
        }
        return new Entry(
                Arrays.copyOfRange(key, 0, first),
                Arrays.copyOfRange(key, first + 1, second),
                Arrays.copyOfRange(key, second + 1, key.length),
                value.clone());
    }

    /**
     * Splits a raw key held in a buffer (e.g. a memory-mapped store page), copying each component
     * and the value once. The buffers' positions are not changed.
     *
     * @throws MalformedKeyException if the key does not contain exactly two NUL bytes or has an
     *     empty property name
     */
    public static Entry fromKey(ByteBuffer key, ByteBuffer value) {
        int start = key.position();
        int end = key.limit();
        int first = -1;
        int second = -1;
        for (int i = start; i < end; i++) {
            if (key.get(i) == 0) {
                if (first < 0) {
                    first = i;
                } else if (second < 0) {
                    second = i;
                } else {
                    second = -1;
                    break;
                }
            }
        }
        if (first < 0 || second < 0) {
            throw new MalformedKeyException(
                    "key of " + (end - start) + " bytes does not contain exactly two NUL bytes");
        }
        if (second == end - 1) {
            throw new MalformedKeyException("key has an empty property name");
        }
        byte[] v = new byte[value.remaining()];
        value.get(value.position(), v);
        return new Entry(slice(key, start, first), slice(key, first + 1, second), slice(key, second + 1, end), v);
    }

    private static byte[] slice(ByteBuffer b, int from, int to) {
        byte[] out = new byte[to - from];
        b.get(from, out);
        return out;
    }

    /** The on-disk key {@code authid \0 realm \0 property}. */
    public byte[] key() {
        return keyOf(authid, realm, property);
    }

    /** The on-disk key for the given components. */
    public static byte[] keyOf(byte[] authid, byte[] realm, byte[] property) {
        byte[] key = new byte[authid.length + realm.length + property.length + 2];
        System.arraycopy(authid, 0, key, 0, authid.length);
        System.arraycopy(realm, 0, key, authid.length + 1, realm.length);
        System.arraycopy(property, 0, key, authid.length + realm.length + 2, property.length);
        return key;
    }

    /** Writes {@link #key()} into {@code out} at its position, without building it. */
    public void writeKey(ByteBuffer out) {
        out.put(authid).put((byte) 0).put(realm).put((byte) 0).put(property);
    }

    /**
     * Writes the value into {@code out} at its position.
     *
     * <p><b>Security:</b> the value may be a secret; wipe {@code out} after use.
     */
    public void writeValue(ByteBuffer out) {
        out.put(value);
    }

    /** Length of {@link #key()} without building it. */
    public int keyLength() {
        return authid.length + realm.length + property.length + 2;
    }

    public byte[] authidBytes() {
        return authid.clone();
    }

    public byte[] realmBytes() {
        return realm.clone();
    }

    public byte[] propertyBytes() {
        return property.clone();
    }

    /** A copy of the value. <b>Security:</b> may be a secret; wipe the copy when done. */
    public byte[] value() {
        return value.clone();
    }

    public int valueLength() {
        return value.length;
    }

    /** The authid decoded as UTF-8 (invalid bytes become U+FFFD). */
    public String authid() {
        return new String(authid, StandardCharsets.UTF_8);
    }

    /** The realm decoded as UTF-8 (invalid bytes become U+FFFD). */
    public String realm() {
        return new String(realm, StandardCharsets.UTF_8);
    }

    /** The property name decoded as UTF-8. */
    public String property() {
        return new String(property, StandardCharsets.UTF_8);
    }

    /** The user this record belongs to. */
    public UserId user() {
        return UserId.ofBytes(authid, realm);
    }

    /** True if key and value bytes are equal (constant time in the value). */
    public boolean sameAs(Entry other) {
        return Arrays.equals(authid, other.authid)
                && Arrays.equals(realm, other.realm)
                && Arrays.equals(property, other.property)
                && java.security.MessageDigest.isEqual(value, other.value);
    }

    /** Compares keys bytewise, unsigned: the order LMDB and {@code sasldblistusers} use. */
    public static int compareKeys(Entry a, Entry b) {
        int c = Arrays.compareUnsigned(a.authid, b.authid);
        if (c == 0) {
            c = Arrays.compareUnsigned(a.realm, b.realm);
        }
        if (c == 0) {
            c = Arrays.compareUnsigned(a.property, b.property);
        }
        return c;
    }

    /** Overwrites the value bytes held by this instance. */
    public void wipe() {
        Arrays.fill(value, (byte) 0);
    }

    /** {@code authid@realm: property}, the sasldblistusers2 line; never the value. */
    @Override
    public String toString() {
        return authid() + "@" + realm() + ": " + property();
    }

    /**
     * Key bytes for a message: printable ASCII kept, everything else as {@code \xNN}, cut after
     * about 200 characters. For keys only: never pass a value.
     */
    public static String printable(byte[] key) {
        StringBuilder sb = new StringBuilder();
        for (byte x : key) {
            int c = x & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
            if (sb.length() > 200) {
                sb.append("...");
                break;
            }
        }
        return sb.toString();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void checkComponent(String what, byte[] bytes) {
        if (indexOf(bytes, 0) >= 0) {
            throw new IllegalArgumentException("the " + what + " contains a NUL byte");
        }
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
