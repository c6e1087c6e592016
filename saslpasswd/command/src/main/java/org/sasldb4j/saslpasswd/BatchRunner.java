package org.sasldb4j.saslpasswd;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.cli.DefaultRealm;
import org.sasldb4j.cli.Diagnostics;
import org.sasldb4j.cli.ExitCodes;
import org.sasldb4j.cli.InvalidPasswordException;
import org.sasldb4j.cli.StoreAudit;
import org.sasldb4j.cli.StorePaths;
import org.sasldb4j.store.Backend;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.Entry;
import org.sasldb4j.store.StoreNotFoundException;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.audit.AuditTrail;
import org.sasldb4j.store.audit.Change;
import org.sasldb4j.store.secret.Wipe;

/**
 * {@code saslpasswd --batch FILE|-}: checks every line first and writes nothing from a batch
 * with an error; then applies the lines in order, 50,000 lines per transaction (visible
 * progress). Both passes stream the batch in windows of that many lines, so memory does not grow
 * with the batch (from stdin its bytes are kept, as it cannot be read twice). Within a window the
 * lines are grouped by user in key order; one user's lines keep their order, and windows are
 * applied in file order, so the result is that of applying the lines one by one. A window costs
 * a fixed number of store calls (one read of which users exist, bulk deletes, batched puts), not a
 * few per line: a PostgreSQL server answers it in a few round trips. A crash
 * between transactions leaves the first windows applied and every line whole; running the same
 * batch again gives the same result.
 */
final class BatchRunner {
    /**
     * Lines per transaction. Each commit is an fsync, which on slow disks costs more than writing
     * 50,000 users; the chunk still bounds the memory of one transaction.
     * The system property {@code sasldb4j.batch.chunk} overrides it, for tuning and tests.
     */
    static final int CHUNK = Integer.getInteger("sasldb4j.batch.chunk", 50_000);

    private final CliEnvironment env;
    private final Diagnostics diag;
    /** The store: a file or a server address (messages show its redacted form). */
    private final StorePaths.Resolved storeName;
    private final Backend backend;
    private final DefaultRealm.Choice realm;
    private final PasswordRecords records;
    private final AuditTrail audit;

    BatchRunner(CliEnvironment env, Diagnostics diag, StorePaths.Resolved storeName, Backend backend, DefaultRealm.Choice realm,
                PasswordRecords records, AuditTrail audit) {
        this.audit = audit;
        this.env = env;
        this.diag = diag;
        this.storeName = storeName;
        this.backend = backend;
        this.realm = realm;
        this.records = records;
    }

    /** Opens the batch again for each pass. */
    @FunctionalInterface
    private interface Input {
        InputStream open() throws IOException;
    }

    int run(String batch) {
        String source = batch.equals("-") ? "stdin" : batch;
        // A file is read twice (check, then apply) and never held whole; stdin can be read only
        // once, so its bytes are kept (not the parsed lines, which cost ten times more).
        byte[] data = null;
        Input input;
        try {
            if (batch.equals("-")) {
                byte[] d = env.stdin().readAllBytes();
                data = d;
                input = () -> new ByteArrayInputStream(d);
            } else {
                Path file = Path.of(batch);
                Files.newInputStream(file).close(); // say now if it cannot be read
                input = () -> Files.newInputStream(file);
            }
        } catch (IOException e) {
            diag.error("cannot read the batch " + source + ": " + describe(e));
            return ExitCodes.FAILURE;
        }
        try {
            return run(source, input);
        } catch (UncheckedIOException e) {
            diag.error("cannot read the batch " + source + ": " + describe(e.getCause()));
            return ExitCodes.FAILURE;
        } finally {
            if (data != null) {
                Arrays.fill(data, (byte) 0);
            }
        }
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage();
    }

    /** What the checking pass found. */
    private static final class Checked {
        long adds;
        long dels;
        boolean usesDefaultRealm;
        final List<String> unstorable = new ArrayList<>();
        int unstorableCount;
    }

    private int run(String source, Input input) {
        Kept first = new Kept();
        try {
            return run(source, input, first);
        } finally {
            if (first.window != null) {
                Wipe.bytes(first.window);
            }
        }
    }

    private int run(String source, Input input, Kept first) {
        byte[] realmBytes = realm.realm().getBytes(StandardCharsets.UTF_8);
        BatchParser checker = new BatchParser(source, realmBytes);
        Checked checked = new Checked();
        // The first window's lines are kept from the checking pass, so a batch of one window (up to
        // CHUNK lines, the usual case) is parsed once; memory stays bounded by two windows.
        BatchParser.Result last = forEachWindow(input, first, (window, firstLine) -> {
            BatchParser.Result r = checker.parse(window, firstLine);
            if (first.window == window) {
                first.ops = r.ops();
            }
            for (BatchOp op : r.ops()) {
                if (op.delete()) {
                    checked.dels++;
                } else {
                    checked.adds++;
                    String bad = check(source, op);
                    if (bad != null && checked.unstorableCount++ < 20) {
                        checked.unstorable.add(bad);
                    }
                }
            }
            checked.usesDefaultRealm |= r.usesDefaultRealm();
            return r;
        });
        if (last != null && last.errorCount() > 0) {
            last.errors().forEach(diag::error);
            int more = last.errorCount() - last.errors().size();
            diag.error((more > 0 ? "... and " + more + " more; " : "") + last.errorCount()
                    + (last.errorCount() == 1 ? " invalid line" : " invalid lines")
                    + " in the batch; nothing was written. Fix them and run the batch again");
            return ExitCodes.INVALID_INPUT;
        }
        if (checked.unstorableCount > 0) {
            checked.unstorable.forEach(diag::error);
            diag.error(checked.unstorableCount + (checked.unstorableCount == 1 ? " password" : " passwords")
                    + " in the batch cannot be stored as " + records.describe() + "; nothing was written");
            return ExitCodes.INVALID_INPUT;
        }
        long total = checked.adds + checked.dels;
        if (total == 0) {
            diag.note("the batch " + source + " has no add or del lines; nothing to do");
            return ExitCodes.OK;
        }
        if (checked.usesDefaultRealm && realm.fromHostname()) {
            diag.note("ids without @ get " + UserChecks.hostnameRealmNote(realm.realm(), null)
                    .replace("the realm is", "the realm"));
        }
        boolean anyAdd = checked.adds > 0;
        StoreOptions options = anyAdd
                ? StoreOptions.create().withBackend(backend)
                : StoreOptions.create().withAccess(StoreOptions.Access.READ_WRITE);
        Outcome outcome = new Outcome();
        if (anyAdd) {
            SaslpasswdCommand.refuseForeign(storeName);
        }
        return apply(source, input, options, realmBytes, total, first, outcome);
    }

    private int apply(String source, Input input, StoreOptions options, byte[] realmBytes, long total, Kept first,
            Outcome outcome) {
        boolean existed = NewStore.exists(storeName);
        AuditTrail.Bulk bulk = audit.bulk(total);
        try (CredentialStore store = CredentialStore.open(storeName.name(), options)) {
            Progress progress = new Progress(total);
            BatchParser applier = new BatchParser(source, realmBytes);
            long[] done = {0};
            forEachWindow(input, null, (window, firstLine) -> {
                List<BatchOp> ops = firstLine == 1 && first.ops != null
                        ? first.ops
                        : applier.parse(window, firstLine).ops();
                apply(store, ops, realmBytes, outcome, bulk);
                done[0] += ops.size();
                progress.show(done[0]);
                return null;
            });
            progress.done();
        } catch (StoreNotFoundException e) {
            // Only del lines and no store: every user is missing, nothing is created.
            forEachWindow(input, null, (window, firstLine) -> {
                new BatchParser(source, realmBytes).parse(window, firstLine).ops()
                        .forEach(o -> outcome.notFound.add(o.line()));
                return null;
            });
        } catch (RuntimeException e) {
            if (!existed) {
                NewStore.removeIfEmpty(storeName);
            }
            throw e;
        }
        if (outcome.set + outcome.deleted > 0) {
            java.util.Map<String, Object> counts = new java.util.LinkedHashMap<>();
            counts.put("source", source);
            counts.put("created", (long) outcome.created);
            counts.put("password-set", (long) (outcome.set - outcome.created));
            counts.put("deleted", (long) outcome.deleted);
            bulk.finish(StoreAudit.of(audit, storeName.name(), Change.BATCH, null, records.schemes(), counts));
        }
        report(source, outcome);
        return ExitCodes.OK;
    }

    /** Work on one window of whole lines; returns the parse result (the last is kept). */
    @FunctionalInterface
    private interface WindowWork {
        BatchParser.Result apply(byte[] window, int firstLine);
    }

    /** The first window of a batch and its parsed lines, kept from the checking pass. */
    private static final class Kept {
        byte[] window;
        List<BatchOp> ops;
    }

    /**
     * Runs work on each window of {@link #CHUNK} lines, wiping each after use, except the first
     * when {@code keep} is given (then the caller wipes it).
     */
    private static BatchParser.Result forEachWindow(Input input, Kept keep, WindowWork work) {
        BatchParser.Result last = null;
        try (BatchWindows windows = new BatchWindows(input.open(), CHUNK)) {
            for (byte[] w = windows.next(); w != null; w = windows.next()) {
                boolean kept = keep != null && windows.firstLine() == 1;
                if (kept) {
                    keep.window = w;
                }
                try {
                    BatchParser.Result r = work.apply(w, windows.firstLine());
                    last = r != null ? r : last;
                } finally {
                    if (!kept) {
                        Wipe.bytes(w);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return last;
    }

    /** A batch line with its user, resolved once. */
    private record Planned(BatchOp op, UserId user, byte[] keyPrefix) {}

    /**
     * The lines grouped by user in key order. The sort is stable, so one user's lines keep their
     * order (an add after a del still wins); lines of different users commute. Key order makes
     * each write land next to the previous one in the store's B-tree.
     */
    private static List<Planned> inKeyOrder(List<BatchOp> ops, byte[] realmBytes) {
        List<Planned> planned = new ArrayList<>(ops.size());
        for (BatchOp op : ops) {
            UserId user = userOf(op, realmBytes);
            planned.add(new Planned(op, user, user.keyPrefix()));
        }
        planned.sort((a, b) -> Arrays.compareUnsigned(a.keyPrefix(), b.keyPrefix()));
        return planned;
    }

    /** Applies one window's lines in one transaction. */
    private void apply(CredentialStore store, List<BatchOp> ops, byte[] realmBytes, Outcome outcome,
            AuditTrail.Bulk bulk) {
        if (ops.isEmpty()) {
            return;
        }
        List<Planned> chunk = inKeyOrder(ops, realmBytes);
        // Secrets are computed before the transaction (Argon2 must not hold the write lock)
        // and wiped after it committed (the work may be retried when the map grows).
        List<List<Entry>> secrets = secretsOf(chunk);
        try {
            java.time.Instant now = java.time.Instant.now();
            Outcome part = store.write(w -> applyIn(w, chunk, secrets, now));
            // Recorded once the window committed; the window's records are then forgotten.
            for (Changed c : part.changes) {
                bulk.record(StoreAudit.of(audit, storeName.name(), c.change(), c.user(),
                        c.change() == Change.DELETED ? List.of() : records.schemes(), java.util.Map.of()));
            }
            part.changes.clear();
            outcome.add(part);
        } finally {
            secrets.forEach(list -> list.forEach(Entry::wipe));
        }
    }

    /**
     * Applies a chunk (in key order, one user's lines together and in file order) in the
     * writer's transaction, with a fixed number of store calls rather than a few per line: a
     * server store then answers in a few round trips. Which users exist is read once; each line's
     * outcome (created, set, deleted, not found) follows from it and the user's earlier lines;
     * then the net writes go: one bulk delete of the users with a del line, one bulk delete of
     * the stale password properties of the users whose last line is an add, and the records of
     * that last add (an earlier add of the same user writes the same properties, which the last
     * overwrites). The store ends as if each line had been applied in turn.
     */
    private Outcome applyIn(org.sasldb4j.store.StoreWriter w, List<Planned> chunk, List<List<Entry>> secrets,
            java.time.Instant now) {
        Outcome o = new Outcome();
        List<UserId> users = new ArrayList<>();
        for (int i = 0; i < chunk.size(); i++) {
            if (i == 0 || !chunk.get(i).user().equals(chunk.get(i - 1).user())) {
                users.add(chunk.get(i).user());
            }
        }
        java.util.Set<UserId> existing = w.existingUsers(users);
        List<UserId> wiped = new ArrayList<>();
        List<UserId> written = new ArrayList<>();
        List<List<Entry>> writes = new ArrayList<>();
        int i = 0;
        for (UserId user : users) {
            boolean exists = existing.contains(user);
            boolean anyDel = false;
            int lastAdd = -1;
            for (; i < chunk.size() && chunk.get(i).user().equals(user); i++) {
                Planned p = chunk.get(i);
                if (p.op().delete()) {
                    if (exists) {
                        o.deleted++;
                        o.changes.add(new Changed(user, Change.DELETED));
                    } else {
                        o.notFound.add(p.op().line());
                    }
                    exists = false;
                    anyDel = true;
                    lastAdd = -1;
                } else {
                    o.set++;
                    o.created += exists ? 0 : 1;
                    o.changes.add(new Changed(user, exists ? Change.PASSWORD_SET : Change.CREATED));
                    exists = true;
                    lastAdd = i;
                }
            }
            if (anyDel) {
                wiped.add(user);
            }
            if (lastAdd >= 0) {
                written.add(user);
                writes.add(secrets.get(lastAdd));
            }
        }
        if (!wiped.isEmpty()) {
            w.deleteUsers(wiped);
        }
        if (!written.isEmpty()) {
            records.applyAll(w, written, writes);
            for (UserId user : written) {
                audit.stamp(w, user, now);
            }
        }
        return o;
    }

    /** The records of each add line of the chunk (an empty list for del lines). */
    private List<List<Entry>> secretsOf(List<Planned> chunk) {
        List<List<Entry>> out = new ArrayList<>(chunk.size());
        try {
            for (Planned p : chunk) {
                if (p.op().delete()) {
                    out.add(List.of());
                    continue;
                }
                byte[] pw = Arrays.copyOfRange(p.op().password(), p.op().passwordFrom(), p.op().passwordTo());
                try {
                    out.add(records.recordsFor(p.user(), pw));
                } finally {
                    Arrays.fill(pw, (byte) 0);
                }
            }
            return out;
        } catch (InvalidPasswordException e) {
            // check() ran over every line before anything was written; this cannot happen.
            out.forEach(list -> list.forEach(Entry::wipe));
            throw new IllegalStateException("a batch password failed after it was checked", e);
        }
    }

    /** The error line for a password the policy cannot store, or null. */
    private String check(String source, BatchOp op) {
        if (!records.checksPasswords()) {
            return null;
        }
        byte[] pw = Arrays.copyOfRange(op.password(), op.passwordFrom(), op.passwordTo());
        try {
            records.check(pw);
            return null;
        } catch (InvalidPasswordException e) {
            return source + ":" + op.line() + ": " + e.getMessage();
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    private static UserId userOf(BatchOp op, byte[] defaultRealm) {
        int at = op.at();
        byte[] u = op.user();
        if (at < 0) {
            return UserId.ofBytes(Arrays.copyOfRange(u, op.userFrom(), op.userTo()), defaultRealm);
        }
        return UserId.ofBytes(Arrays.copyOfRange(u, op.userFrom(), at), Arrays.copyOfRange(u, at + 1, op.userTo()));
    }

    private void report(String source, Outcome o) {
        o.notFound.sort(null); // lines were applied in key order; report them in file order
        if (!o.notFound.isEmpty()) {
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < Math.min(10, o.notFound.size()); i++) {
                lines.append(i == 0 ? "" : ", ").append(o.notFound.get(i));
            }
            if (o.notFound.size() > 10) {
                lines.append(", ...");
            }
            diag.error("user not found: " + o.notFound.size() + " del " + (o.notFound.size() == 1 ? "line" : "lines")
                    + " of " + source + " named users that do not exist (line " + lines + ")");
        }
        if (env.stderrIsTerminal()) {
            diag.stream().println(diag.program() + ": " + source + ": " + o.set + " passwords set, " + o.deleted
                    + " users deleted");
        }
    }

    /** One account's change in a window, for the audit trail. */
    private record Changed(UserId user, Change change) {}

    /** What a run did. */
    private static final class Outcome {
        int set;
        int created;
        int deleted;
        final List<Changed> changes = new ArrayList<>();
        final List<Integer> notFound = new ArrayList<>();

        void add(Outcome o) {
            set += o.set;
            created += o.created;
            deleted += o.deleted;
            notFound.addAll(o.notFound);
        }
    }

    /** A progress line on stderr, only when it is a terminal (logs stay clean). */
    private final class Progress {
        private final long total;
        private final boolean on;

        Progress(long total) {
            this.total = total;
            this.on = env.stderrIsTerminal() && total > CHUNK;
        }

        void show(long done) {
            if (on) {
                PrintStream err = diag.stream();
                err.print("\r" + diag.program() + ": " + done + "/" + total + " lines applied");
                err.flush();
            }
        }

        void done() {
            if (on) {
                diag.stream().println();
            }
        }
    }
}
