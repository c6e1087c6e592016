package org.sasldb4j.auxprop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.RecordsDigest;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.StrictUtf8;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.secret.MalformedSecretException;
import org.sasldb4j.store.secret.PasswordVerifier.Outcome;
import org.sasldb4j.store.secret.SecretProperties;
import org.sasldb4j.store.secret.SecretSchemes;
import org.sasldb4j.store.secret.SecretSet;
import org.sasldb4j.store.secret.Wipe;

/**
 * Stronger hashes as users log in: after a successful password verification (PLAIN, LOGIN, the
 * saslauthd protocol) whose user's secrets differ from the {@linkplain #target() target secret
 * set} (plaintext only, a legacy {@code cmusaslsecretPLAIN}, Argon2id below the target's
 * parameters, SCRAM below its iteration count, a scheme the set no longer holds), the password
 * just verified is encoded into the target set and written over the user's password secrets, as
 * {@code saslpasswd --schemes} would.
 *
 * <ul>
 *   <li><b>Off the answering path.</b> The verifying thread only decides (no hashing: parameters
 *       are read from the stored values) and hands a {@link Job} to the {@link Scheduler}, which
 *       may refuse it (budget or queue full): the user is then re-hashed at a later login. One
 *       job per user at a time: logins while one is pending offer none.
 *   <li><b>Compare-and-set.</b> The job hashes first, then writes in one transaction only if the
 *       user's records are still byte for byte those verified ({@link
 *       CredentialStore#writeIfUnchanged}); a change made meanwhile (a {@code saslpasswd}
 *       password change, {@code --disable}, a deletion) is kept and the job does nothing.
 *   <li><b>What is kept</b> follows the target set: the password secrets not in it are deleted
 *       ({@link SecretProperties#PASSWORD_PROPERTIES}), so a plaintext still needed (CRAM-MD5,
 *       DIGEST-MD5, Cyrus's sql plugin) must be in the set. Other properties (the disabled mark,
 *       application properties) are untouched.
 *   <li><b>Never</b> for a disabled account, and never when the login matched a legacy
 *       {@code cmusaslsecretPLAIN} beside a different {@code userPassword} (which password would
 *       then be the user's is not the daemon's to decide).
 *   <li><b>Failures</b> (a store opened read-only, a full disk) are logged once per cause and
 *       never affect the login.
 * </ul>
 *
 * <p>Thread-safe.
 *
 * <p><b>Security:</b> a job holds a copy of the password and of the records' digest until it has
 * run or is {@linkplain Job#discard() discarded}; both are wiped then. Nothing logged or given to
 * the {@link RehashListener} holds a secret.
 */
public final class LoginRehash {
    /** Where jobs run. */
    public interface Scheduler {
        /**
         * Runs {@code job} later, on another thread, or refuses it.
         *
         * @return false if refused (the caller discards it); a scheduler that accepted a job and
         *     then cannot run it (shut down) calls {@link Job#discard()}
         */
        boolean offer(Job job);
    }

    /**
     * Told of every re-hash committed: the place where the audit trail's {@code rehashed}
     * record is written. Called on the job's thread after the commit; it must not throw.
     */
    public interface RehashListener {
        /** Tells no one. */
        RehashListener NONE = (user, before, after) -> { };

        /**
         * @param user whose secrets were rewritten
         * @param before the schemes the user had ({@link SecretProperties#summarize} names)
         * @param after the target set written
         */
        void rehashed(UserId user, List<String> before, SecretSet after);
    }

    /** What one job did. */
    public enum Result {
        REHASHED,
        /** The records changed between the login and the write: nothing written. */
        CHANGED_MEANWHILE,
        /** The password is not valid UTF-8, which hashed secrets need. */
        NOT_UTF8,
        /** The write failed (logged once per cause). */
        FAILED,
        /** Never ran (refused by the scheduler or discarded). */
        DROPPED
    }

    /** Most distinct failure causes remembered for "logged once"; beyond it, failures go to FINE. */
    private static final int MAX_CAUSES = 32;

    private final SecretSet target;
    private final Scheduler scheduler;
    private final RehashListener listener;
    private final Logger log;
    /** Password properties a re-hash deletes: all those the target does not write. */
    private final Set<String> stale;
    private final Set<String> loggedCauses = Collections.synchronizedSet(new LinkedHashSet<>());
    /** Users with a job queued or running: one at a time each, so repeated logins hash once. */
    private final Set<UserId> pending = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicLong rehashed = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * @param target the secret set users are moved to
     * @param scheduler runs the jobs
     * @param listener told of each committed re-hash ({@link RehashListener#NONE} for no one)
     * @param log where re-hashes (INFO), changes met (INFO) and failures (WARNING, once per
     *     cause) are reported
     */
    public LoginRehash(SecretSet target, Scheduler scheduler, RehashListener listener, Logger log) {
        this.target = Objects.requireNonNull(target, "target");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.log = Objects.requireNonNull(log, "log");
        Set<String> s = new TreeSet<>(SecretProperties.PASSWORD_PROPERTIES);
        s.removeAll(target.properties());
        this.stale = Set.copyOf(s);
    }

    public SecretSet target() {
        return target;
    }

    /** Re-hashes committed so far. */
    public long rehashedCount() {
        return rehashed.get();
    }

    /** Jobs that found the records changed, or a password hashed secrets cannot take. */
    public long skippedCount() {
        return skipped.get();
    }

    /** Jobs refused by the scheduler or discarded. */
    public long droppedCount() {
        return dropped.get();
    }

    /** Jobs whose write failed. */
    public long failedCount() {
        return failed.get();
    }

    /**
     * Called by the bridge after a verification, with the records verified (still unwiped) and
     * the password: offers a job if the user needs a re-hash. Cheap when not: no hashing here.
     *
     * @param password not modified, not retained (the job holds its own copy)
     */
    void consider(CredentialStore store, UserId user, List<Entry> records, byte[] password, Outcome outcome) {
        if (!outcome.authenticated() || !needsRehash(records, password, outcome) || !pending.add(user)) {
            return;
        }
        Job job = new Job(store, user, RecordsDigest.of(records), password.clone(),
                SecretProperties.summarize(records).schemes());
        if (!scheduler.offer(job)) {
            job.discard();
        }
    }

    /**
     * Whether the records, which the password just matched, should be rewritten into the target
     * set. Reads parameters only; never hashes.
     */
    boolean needsRehash(List<Entry> records, byte[] password, Outcome outcome) {
        if (isDisabled(records)) {
            return false;
        }
        Set<String> present = new TreeSet<>();
        byte[] userPassword = null;
        boolean weak = false;
        try {
            for (Entry e : records) {
                String p = e.property();
                if (!SecretProperties.PASSWORD_PROPERTIES.contains(p)) {
                    continue;
                }
                present.add(p);
                if (p.equals(SecretProperties.USER_PASSWORD)) {
                    userPassword = e.value();
                } else if (target.properties().contains(p)) {
                    weak |= weaker(p, e);
                }
            }
            if (userPassword != null && !SecretSchemes.plaintext().verify(password, userPassword).matches()) {
                return false; // matched a legacy secret beside another plaintext: not ours to choose
            }
        } finally {
            Wipe.bytes(userPassword);
        }
        return weak || outcome == Outcome.MATCH_NEEDS_REHASH || !present.equals(new TreeSet<>(target.properties()));
    }

    private boolean weaker(String property, Entry e) {
        for (SecretSet.Kind k : target.kinds()) {
            if (target.scheme(k).property().equals(property)) {
                byte[] v = e.value();
                try {
                    return target.scheme(k).needsRehash(v);
                } catch (MalformedSecretException bad) {
                    return true; // the password matched the others: replace the bad value
                } finally {
                    Wipe.bytes(v);
                }
            }
        }
        return false;
    }

    private static boolean isDisabled(List<Entry> records) {
        for (Entry e : records) {
            if (e.property().equals(SecretProperties.DISABLED)) {
                return true;
            }
        }
        return false;
    }

    /** Encodes and writes; the job's body. */
    private Result rehash(Job job) {
        char[] chars = StrictUtf8.charsOrNull(job.password);
        if (chars == null) {
            skipped.incrementAndGet();
            return Result.NOT_UTF8;
        }
        List<Entry> fresh = new ArrayList<>();
        try {
            fresh.addAll(target.encode(job.user, chars)); // the expensive part, outside the write lock
            boolean written = job.store.writeIfUnchanged(job.user, job.digest, w -> {
                w.delete(job.user, stale);
                fresh.forEach(w::put);
            });
            if (!written) {
                skipped.incrementAndGet();
                log.info(() -> "rehash of " + job.user + " skipped: its records changed since the login");
                return Result.CHANGED_MEANWHILE;
            }
            rehashed.incrementAndGet();
            log.info(() -> "rehashed " + job.user + " at login: " + String.join(",", job.before) + " -> " + target);
            listener.rehashed(job.user, job.before, target);
            return Result.REHASHED;
        } catch (StoreException | IllegalArgumentException e) {
            failed.incrementAndGet();
            reportOnce(e);
            return Result.FAILED;
        } finally {
            Wipe.chars(chars);
            fresh.forEach(Entry::wipe);
        }
    }

    /** One WARNING per distinct cause (kind and message; messages never hold secrets). */
    private void reportOnce(RuntimeException e) {
        String cause = e.getClass().getSimpleName() + ": " + e.getMessage();
        boolean first;
        synchronized (loggedCauses) {
            first = loggedCauses.size() < MAX_CAUSES && loggedCauses.add(cause);
        }
        if (first) {
            log.warning("cannot rehash passwords at login (" + e.getMessage() + "); logins are not affected;"
                    + " this cause is reported once. Give the daemon write access to the store, its directory and"
                    + " lock file (docs/postfix.md, \"Upgrading hashes as users log in\"), then reload");
        } else {
            log.fine(() -> "rehash at login failed again: " + e.getMessage());
        }
    }

    /**
     * One user's pending re-hash. Holds a copy of the password and of the verified records'
     * digest; {@link #run()} or {@link #discard()} wipes them, once.
     */
    public final class Job implements Runnable {
        private final CredentialStore store;
        private final UserId user;
        private final byte[] digest;
        private final byte[] password;
        private final List<String> before;
        private boolean done;
        private Result result;

        private Job(CredentialStore store, UserId user, byte[] digest, byte[] password, List<String> before) {
            this.store = store;
            this.user = user;
            this.digest = digest;
            this.password = password;
            this.before = List.copyOf(before);
        }

        /** The user to re-hash (not a secret). */
        public UserId user() {
            return user;
        }

        /** What it did; {@link Result#DROPPED} before it ran. */
        public synchronized Result result() {
            return result == null ? Result.DROPPED : result;
        }

        /** Re-hashes (at most once; a discarded job does nothing), then wipes its copies. */
        @Override
        public void run() {
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
            }
            Result r = Result.FAILED;
            try {
                r = rehash(this);
            } finally {
                wipe();
                synchronized (this) {
                    result = r;
                }
            }
        }

        /** Gives up a job that will not run: wipes its copies and counts it as dropped. */
        public void discard() {
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                result = Result.DROPPED;
            }
            dropped.incrementAndGet();
            wipe();
        }

        private void wipe() {
            Arrays.fill(password, (byte) 0);
            Arrays.fill(digest, (byte) 0);
            pending.remove(user);
        }

        /** Names the user only. */
        @Override
        public String toString() {
            return "LoginRehash.Job[" + user + "]";
        }
    }

    @Override
    public String toString() {
        return "LoginRehash[to " + target + "]";
    }
}
