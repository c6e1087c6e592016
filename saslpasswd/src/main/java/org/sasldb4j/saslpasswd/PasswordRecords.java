package org.sasldb4j.saslpasswd;

import java.util.ArrayList;
import java.util.List;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreWriter;
import org.sasldb4j.store.UserId;

/**
 * What setting a password writes and deletes: the one place that decides it, for a single user
 * and for every {@code add} line of a batch.
 *
 * <p>Today, as saslpasswd2 with Debian's default plugins: {@code userPassword} = the password
 * (unless {@code -n}), and the three legacy {@code cmusaslsecret*} keys are deleted in the same
 * transaction, so an old binary secret can no longer authenticate a changed password.
 *
 * <p><b>Seam for hashed secrets:</b> {@link #recordsFor} is where the secret schemes of
 * {@code org.sasldb4j.store.secret} (SCRAM {@code authPassword}, ...) add their records; with
 * {@code -n} they are the only records written.
 */
public final class PasswordRecords {
    /** The plaintext password property every Cyrus mechanism reads. */
    public static final String USER_PASSWORD = "userPassword";

    /** Binary secrets of SASL v1 era databases; saslpasswd2 deletes them on every change. */
    public static final List<String> LEGACY_SECRETS =
            List.of("cmusaslsecretCRAM-MD5", "cmusaslsecretDIGEST-MD5", "cmusaslsecretPLAIN");

    private final boolean noPlain;

    /** @param noPlain {@code -n}: do not store the plaintext {@code userPassword} */
    public PasswordRecords(boolean noPlain) {
        this.noPlain = noPlain;
    }

    /**
     * The records to write for {@code password}. The caller wipes the password; the records
     * hold their own copies, which {@link #apply} wipes after storing them.
     */
    public List<Entry> recordsFor(UserId user, byte[] password) {
        List<Entry> out = new ArrayList<>(1);
        if (!noPlain) {
            out.add(Entry.of(user, USER_PASSWORD, password));
        }
        // Hashed secrets (org.sasldb4j.store.secret) go here, e.g. out.add(scram.entryFor(user, password)).
        return out;
    }

    /** True if {@link #recordsFor} writes nothing (then the tool says so: D8). */
    public boolean writesNothing() {
        return noPlain;
    }

    /**
     * Writes the records for {@code password} and deletes the legacy secrets, in the caller's
     * transaction.
     *
     * @return the number of records written
     */
    public int apply(StoreWriter w, UserId user, byte[] password) {
        List<Entry> records = recordsFor(user, password);
        try {
            for (Entry e : records) {
                w.put(e);
            }
        } finally {
            records.forEach(Entry::wipe);
        }
        deleteLegacy(w, user);
        return records.size();
    }

    /** Deletes the legacy secrets (keys too long for the store cannot exist: the store skips them). */
    static void deleteLegacy(StoreWriter w, UserId user) {
        w.delete(user, LEGACY_SECRETS);
    }

    /** Length of the key of {@code property} for a user whose key prefix is {@code prefixLength}. */
    static int keyLength(int prefixLength, String property) {
        return prefixLength + property.length();
    }
}
