package org.sasldb4j.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

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

    /**
     * The whole on-disk key, {@code authid \0 realm \0 property}: one array, so that ordering is
     * one comparison, reading is one copy and writing one put.
     */
    private final byte[] key;
    /** Where the realm starts (just after the first NUL). */
    private final int realmAt;
    /** Where the property starts (just after the second NUL). */
    private final int propertyAt;
    private final byte[] value;

    private Entry(byte[] key, int realmAt, int propertyAt, byte[] value) {
        this.key = key;
        this.realmAt = realmAt;
        this.propertyAt = propertyAt;
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
        return new Entry(keyOf(authid, realm, property), authid.length + 1, authid.length + realm.length + 2,
                value.clone());
    }

    /** A record for {@code user}, with a UTF-8 property name; the value is copied. */
    public static Entry of(UserId user, String property, byte[] value) {
        byte[] p = utf8(property);
        checkComponent("property", p);
        if (p.length == 0) {
            throw new IllegalArgumentException("the property name is empty");
        }
        // A UserId holds no NUL: only the property needs checking.
        byte[] authid = user.authidRef();
        byte[] realm = user.realmRef();
        return new Entry(keyOf(authid, realm, p), authid.length + 1, authid.length + realm.length + 2, value.clone());
    }

    /**
     * Splits a raw key at its two NUL bytes (both arrays are copied).
     *
     * @throws MalformedKeyException if the key does not contain exactly two NUL bytes or has an
     *     empty property name
     */
    public static Entry fromKey(byte[] key, byte[] value) {
        return parsed(key.clone(), value.clone());
    }

    /**
     * Splits a raw key held in a buffer (e.g. a memory-mapped store page), copying the key and the
     * value once. The buffers' positions are not changed.
     *
     * @throws MalformedKeyException if the key does not contain exactly two NUL bytes or has an
     *     empty property name
     */
    public static Entry fromKey(ByteBuffer key, ByteBuffer value) {
        byte[] k = new byte[key.remaining()];
        key.get(key.position(), k);
        byte[] v = new byte[value.remaining()];
        value.get(value.position(), v);
        return parsed(k, v);
    }

    /** An entry over {@code key} and {@code value} themselves, after checking the key's shape. */
    private static Entry parsed(byte[] key, byte[] value) {
        int first = indexOf(key, 0);
        int second = first < 0 ? -1 : indexOf(key, first + 1);
        if (first < 0 || second < 0 || indexOf(key, second + 1) >= 0) {
            throw new MalformedKeyException(
                    "key of " + key.length + " bytes does not contain exactly two NUL bytes");
        }
        if (second == key.length - 1) {
            throw new MalformedKeyException("key has an empty property name");
        }
        return new Entry(key, first + 1, second + 1, value);
    }

    /** The on-disk key {@code authid \0 realm \0 property}. */
    public byte[] key() {
        return key.clone();
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
        out.put(key);
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
        return key.length;
    }

    /**
     * The key-length rule every backend applies before storing: the key may take at most
     * {@link #MAX_KEY_LENGTH} bytes, LMDB's limit, on every backend (SQLite and PostgreSQL have
     * none), so that any store converts to the others and to Cyrus's LMDB sasldb. One rule and
     * one message for all writers. The message shows the key, never the value.
     *
     * @throws StoreException if the key is longer
     */
    public void requireKeyFits() {
        if (key.length > MAX_KEY_LENGTH) {
            throw new StoreException("cannot store " + this + ": user id, realm and property name together take "
                    + key.length + " bytes; sasldb4j allows at most " + MAX_KEY_LENGTH
                    + " (the LMDB limit, so that stores convert between backends)");
        }
    }

    public byte[] authidBytes() {
        return Arrays.copyOfRange(key, 0, realmAt - 1);
    }

    public byte[] realmBytes() {
        return Arrays.copyOfRange(key, realmAt, propertyAt - 1);
    }

    public byte[] propertyBytes() {
        return Arrays.copyOfRange(key, propertyAt, key.length);
    }

    /** A copy of the value. <b>Security:</b> may be a secret; wipe the copy when done. */
    public byte[] value() {
        return value.clone();
    }

    public int valueLength() {
        return value.length;
    }

    /** True if the authid is empty (Cyrus writes such keys for {@code @realm}). */
    public boolean hasEmptyAuthid() {
        return realmAt == 1;
    }

    /** The authid decoded as UTF-8 (invalid bytes become U+FFFD). */
    public String authid() {
        return new String(key, 0, realmAt - 1, StandardCharsets.UTF_8);
    }

    /** The realm decoded as UTF-8 (invalid bytes become U+FFFD). */
    public String realm() {
        return new String(key, realmAt, propertyAt - 1 - realmAt, StandardCharsets.UTF_8);
    }

    /** The property name decoded as UTF-8. */
    public String property() {
        return new String(key, propertyAt, key.length - propertyAt, StandardCharsets.UTF_8);
    }

    /** The user this record belongs to. */
    public UserId user() {
        return UserId.ofBytes(authidBytes(), realmBytes());
    }

    /** True if key and value bytes are equal (constant time in the value). */
    public boolean sameAs(Entry other) {
        return Arrays.equals(key, other.key) && java.security.MessageDigest.isEqual(value, other.value);
    }

    /**
     * A 64-bit hash of key and value (FNV-1a, then a SplitMix64 finish). Sums of these over a set
     * of records compare sets regardless of order; meant to catch faults, not adversaries.
     */
    long digest() {
        long h = 0xcbf29ce484222325L;
        for (byte b : key) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h = (h ^ 0x1ff) * 0x100000001b3L; // a separator no byte value equals
        for (byte b : value) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    /** True if both records belong to the same authid and realm (no copies made). */
    boolean sameUser(Entry o) {
        return Arrays.equals(key, 0, propertyAt, o.key, 0, o.propertyAt);
    }

    /** True if both records carry the same property name (no copies made). */
    boolean sameProperty(Entry o) {
        return Arrays.equals(key, propertyAt, key.length, o.key, o.propertyAt, o.key.length);
    }

    /** The realm's bytes as a read-only view, for counting in this package. */
    java.nio.ByteBuffer realmView() {
        return ByteBuffer.wrap(key, realmAt, propertyAt - 1 - realmAt).slice().asReadOnlyBuffer();
    }

    /**
     * Compares keys bytewise, unsigned: the order LMDB and {@code sasldblistusers} use. (A NUL,
     * the smallest byte, ends each component, so whole keys compare as their components do.)
     */
    public static int compareKeys(Entry a, Entry b) {
        return Arrays.compareUnsigned(a.key, b.key);
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
        return printable(key, false);
    }

    /**
     * {@link #printable(byte[])}, and with {@code space} the space too as {@code \x20}, so white
     * space at the edges of a name shows.
     */
    static String printable(byte[] key, boolean space) {
        StringBuilder sb = new StringBuilder();
        for (byte x : key) {
            int c = x & 0xff;
            if (c >= (space ? 0x21 : 0x20) && c < 0x7f && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append("\\x").append(HexFormat.of().toHexDigits(x));
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
