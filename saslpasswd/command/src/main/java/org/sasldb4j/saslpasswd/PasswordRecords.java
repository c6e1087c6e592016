package org.sasldb4j.saslpasswd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.sasldb4j.cli.InvalidPasswordException;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreWriter;
import org.sasldb4j.store.StrictUtf8;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretSet;

/**
 * What setting a password writes and deletes: the one place that decides it, for a single user
 * and for every {@code add} line of a batch.
 *
 * <ul>
 *   <li>Default, as saslpasswd2 with Debian's plugins: {@code userPassword} = the password.
 *   <li>{@code -n}: hashed secrets instead ({@link SecretSet#HASHED}: Argon2id, SCRAM-SHA-1 as
 *       Cyrus's {@code authPassword}, SCRAM-SHA-256).
 *   <li>{@code --schemes LIST}: exactly those schemes ({@code plaintext} among them or not).
 * </ul>
 * Every other password-derived property of the user ({@link SecretProperties#PASSWORD_PROPERTIES}:
 * an old {@code userPassword}, the {@code cmusaslsecret*} keys, stale hashes) is deleted in the
 * same transaction. saslpasswd2 keeps an old {@code userPassword} when {@code -n} writes none, and
 * since every mechanism uses the plaintext first the old password keeps working while the new one
 * fails; here no secret derived from the old password survives a change, on any path.
 *
 * <p>Security: after {@link #apply} only the new password verifies, whatever secrets the user
 * had before; the verifier, which requires all hashed secrets present to agree, never sees a mix.
 */
public final class PasswordRecords {
    private final boolean plaintext;
    private final SecretSet hashed; // null when only plaintext is written
    /** The password properties a change deletes: all but those it writes. */
    private final Set<String> stale;

    private PasswordRecords(boolean plaintext, SecretSet hashed) {
        this.plaintext = plaintext;
        this.hashed = hashed;
        Set<String> s = new TreeSet<>(SecretProperties.PASSWORD_PROPERTIES);
        if (plaintext) {
            s.remove(SecretProperties.USER_PASSWORD);
        }
        if (hashed != null) {
            s.removeAll(hashed.properties());
        }
        this.stale = Set.copyOf(s);
    }

    /**
     * The policy of a command line.
     *
     * @param noPlain {@code -n}
     * @param schemes {@code --schemes}, or null
     * @throws IllegalArgumentException for an unknown scheme or a set with nothing to write
     */
    public static PasswordRecords of(boolean noPlain, String schemes) {
        Set<SecretSet.Kind> kinds = EnumSet.noneOf(SecretSet.Kind.class);
        if (schemes != null) {
            kinds.addAll(SecretSet.parse(schemes).kinds());
        } else if (noPlain) {
            kinds.addAll(SecretSet.HASHED.kinds());
        } else {
            kinds.add(SecretSet.Kind.PLAINTEXT);
        }
        boolean plain = kinds.remove(SecretSet.Kind.PLAINTEXT) && !noPlain;
        if (!plain && kinds.isEmpty()) {
            throw new IllegalArgumentException("nothing to store: -n leaves out plaintext and --schemes names no"
                    + " other scheme (choose from argon2id, scram-sha-1, scram-sha-256, cram-md5)");
        }
        SecretSet set = null;
        if (!kinds.isEmpty()) {
            SecretSet.Kind[] rest = kinds.toArray(new SecretSet.Kind[0]);
            set = SecretSet.of(rest[0], Arrays.copyOfRange(rest, 1, rest.length));
        }
        return new PasswordRecords(plain, set);
    }

    /** The schemes written, for audit records, e.g. {@code [plaintext, argon2id]}. No secrets. */
    public List<String> schemes() {
        return List.of(describe().split(","));
    }

    /**
     * True if {@code user} has no record yet (the change creates the account), read in the
     * caller's transaction; the records read are wiped at once.
     */
    public static boolean isNew(StoreWriter w, UserId user) {
        List<Entry> existing = w.user(user);
        existing.forEach(Entry::wipe);
        return existing.isEmpty();
    }

    /** The schemes written, for messages, e.g. {@code plaintext,argon2id}. No secrets. */
    public String describe() {
        List<String> names = new ArrayList<>();
        if (plaintext) {
            names.add("plaintext");
        }
        if (hashed != null) {
            names.add(hashed.toString());
        }
        return String.join(",", names);
    }

    /**
     * The records to write for {@code password}. The caller wipes the password; the records
     * hold their own copies, which {@link #apply} wipes after storing them.
     *
     * @throws InvalidPasswordException if hashed secrets are asked for and the password is not
     *     valid UTF-8 (they are computed over characters; plaintext keeps any bytes)
     */
    public List<Entry> recordsFor(UserId user, byte[] password) throws InvalidPasswordException {
        List<Entry> out = new ArrayList<>(4);
        if (plaintext) {
            out.add(Entry.of(user, SecretProperties.USER_PASSWORD, password));
        }
        if (hashed != null) {
            char[] chars = utf8(password);
            try {
                out.addAll(hashed.encode(user, chars));
            } catch (IllegalArgumentException e) {
                throw new InvalidPasswordException(e.getMessage());
            } finally {
                Arrays.fill(chars, '\0');
            }
        }
        return out;
    }

    /**
     * Checks a password before anything is written, so a batch fails before its first chunk.
     *
     * @throws InvalidPasswordException if hashed secrets are asked for and the password is not
     *     valid UTF-8
     */
    public void check(byte[] password) throws InvalidPasswordException {
        if (hashed != null) {
            Arrays.fill(utf8(password), '\0');
        }
    }

    /** True if {@link #check} can refuse a password (hashed secrets are asked for). */
    public boolean checksPasswords() {
        return hashed != null;
    }

    /**
     * Writes {@code records} (from {@link #recordsFor}) and deletes every other password-derived
     * property of the user, in the caller's transaction: afterwards the user's secrets are exactly
     * {@code records}, plus whatever is not derived from the password (the disabled mark,
     * application properties). The records are not wiped here: the transaction may be retried,
     * so the caller wipes them once it has committed.
     */
    public void apply(StoreWriter w, UserId user, List<Entry> records) {
        w.delete(user, stale);
        for (Entry e : records) {
            w.put(e);
        }
    }

    /**
     * {@link #apply} for many users at once: {@code records.get(i)} are the new records of
     * {@code users.get(i)}, each user named once. The stale properties of all of them go in one
     * {@link StoreWriter#deleteProperties} (one statement on a server), then the records are put
     * (batched there). Same result as applying each user in turn, as different users' keys are
     * disjoint.
     */
    public void applyAll(StoreWriter w, List<UserId> users, List<List<Entry>> records) {
        w.deleteProperties(users, stale);
        for (List<Entry> list : records) {
            for (Entry e : list) {
                w.put(e);
            }
        }
    }

    private static char[] utf8(byte[] password) throws InvalidPasswordException {
        char[] chars = StrictUtf8.charsOrNull(password);
        if (chars == null) {
            throw new InvalidPasswordException("hashed secrets need a UTF-8 password; this one is not valid UTF-8"
                    + " (plaintext userPassword keeps any bytes: drop -n / --schemes)");
        }
        return chars;
    }
}
