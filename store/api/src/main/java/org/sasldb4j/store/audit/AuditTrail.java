package org.sasldb4j.store.audit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.sasldb4j.store.StoreWriter;
import org.sasldb4j.store.UserId;

/**
 * Records changes to stores: to syslog ({@code /dev/log}, facility authpriv, the tool's name as
 * tag) and, when configured, to a JSON-lines file. One per run (a tool) or per process (a
 * server); safe for several threads.
 *
 * <p>Use: open it before changing anything (an audit log that cannot be opened safely stops the
 * run before any change), stamp the change time inside the write transaction with
 * {@link #stamp}, and call {@link #record} after the transaction committed. A record that
 * cannot be written never undoes or hides the change: the failure goes to the warning sink
 * (a tool prints it on stderr and keeps its exit status), once per destination and run.
 *
 * <p>Large runs: {@link #bulk} sends each account's record to the file but to syslog only up to
 * {@value #SYSLOG_ACCOUNT_LIMIT} accounts; above that syslog gets one summary record with the
 * counts, so a migration of a million users does not flood the system log.
 *
 * <p>A server that re-hashes passwords at login opens one trail at start and records each
 * re-hash after its transaction committed:
 * <pre>{@code
 * AuditTrail audit = AuditTrail.open(
 *         AuditSettings.fromEnvironment(System::getenv, "sasldb-authd", version, auditLogOrNull),
 *         System::getenv, message -> log.warn(message));   // fails at start if the file is unsafe
 * ...
 * store.write(w -> {
 *     // compare-and-set, write the new secrets, then, in the same transaction:
 *     audit.stamp(w, user, Instant.now());                  // sasldb4j.changed, if enabled
 *     return ...;
 * });
 * audit.record(storePath, Change.REHASHED, user, List.of("argon2id", "scram-sha-256"));
 * ...
 * audit.close();                                            // at shutdown: flushes the file
 * }</pre>
 * {@link #record} never blocks on syslog (the datagram is sent with {@code MSG_DONTWAIT}) and
 * never throws for a failed write, so it may run on a worker thread.
 *
 * <p>Security: records carry no secret ({@link AuditRecord}); the file is opened as
 * {@link AuditFile} says (never through a symbolic link).
 */
public final class AuditTrail implements AutoCloseable {
    /** Accounts per run above which syslog gets a summary instead of one record per account. */
    public static final int SYSLOG_ACCOUNT_LIMIT = 100;

    private final AuditSettings settings;
    private final Actor actor;
    private final Consumer<String> warnings;
    private final SyslogSink syslog;
    private final AuditFile file;
    private boolean fileWarned;

    private AuditTrail(AuditSettings settings, Actor actor, Consumer<String> warnings, AuditFile file) {
        this.settings = settings;
        this.actor = actor;
        this.warnings = warnings;
        this.file = file;
        this.syslog = settings.syslogSocket() == null ? null
                : new SyslogSink(settings.syslogSocket(), settings.syslogExplicit(), settings.tool(), actor.pid());
    }

    /**
     * Opens the trail: the file, if any, is opened (created mode {@code 0640 & ~umask}) now.
     *
     * @param getenv the environment, for {@code SUDO_USER} / {@code SUDO_UID}
     * @param warnings where failures to record go (one line each, no secret)
     * @throws org.sasldb4j.store.StoreException if the file is unsafe or cannot be opened: nothing
     *     should be changed then
     */
    public static AuditTrail open(AuditSettings settings, Function<String, String> getenv, Consumer<String> warnings) {
        AuditFile f = settings.file() == null ? null : AuditFile.open(settings.file());
        return new AuditTrail(settings, Actor.current(getenv), warnings, f);
    }

    public AuditSettings settings() {
        return settings;
    }

    /**
     * Stamps the account's change time ({@link ChangeTimes}) in the caller's transaction, if the
     * settings ask for it; does nothing otherwise.
     */
    public void stamp(StoreWriter w, UserId user, Instant when) {
        if (settings.changeTimes()) {
            ChangeTimes.stamp(w, user, when);
        }
    }

    /** A record of this process about one account (null for a whole store). */
    public AuditRecord of(Path store, Change change, UserId account, List<String> schemes,
            Map<String, Object> details) {
        return new AuditRecord(Instant.now(), actor, settings.tool(), settings.version(),
                store.toAbsolutePath().normalize().toString(), change, account == null ? null : account.toString(),
                schemes, details);
    }

    /** Records one change, to syslog and to the file. */
    public void record(AuditRecord r) {
        toSyslog(r);
        toFile(r);
    }

    /** Records one change to one account: {@code record(of(store, change, account, schemes, Map.of()))}. */
    public void record(Path store, Change change, UserId account, List<String> schemes) {
        record(of(store, change, account, schemes, Map.of()));
    }

    /** Records a run of {@code expected} account changes; see the class comment. */
    public Bulk bulk(long expected) {
        return new Bulk(expected > SYSLOG_ACCOUNT_LIMIT);
    }

    /** One run of many changes. */
    public final class Bulk {
        private final boolean summarise;

        private Bulk(boolean summarise) {
            this.summarise = summarise;
        }

        /** Records one account's change: to the file, and to syslog unless the run is large. */
        public void record(AuditRecord r) {
            if (!summarise) {
                toSyslog(r);
            }
            toFile(r);
        }

        /** Ends the run: for a large run, {@code summary} (with the counts) goes to syslog and the file. */
        public void finish(AuditRecord summary) {
            if (summarise) {
                AuditTrail.this.record(summary);
            }
        }

        /** True if the run is summarised in syslog. */
        public boolean summarised() {
            return summarise;
        }
    }

    private void toSyslog(AuditRecord r) {
        if (syslog != null) {
            String w = syslog.send(r);
            if (w != null) {
                warnings.accept(w);
            }
        }
    }

    private synchronized void toFile(AuditRecord r) {
        if (file == null) {
            return;
        }
        try {
            file.append(r.toJson());
        } catch (IOException e) {
            if (!fileWarned) {
                fileWarned = true;
                warnings.accept("cannot write the audit log " + file.path() + ": " + AuditFile.reason(e)
                        + "; the change itself was made");
            }
        }
    }

    /** Flushes and closes the file; a failure is a warning. */
    @Override
    public synchronized void close() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                warnings.accept("cannot flush the audit log " + file.path() + ": " + AuditFile.reason(e));
            }
        }
    }
}
