package org.sasldb4j.saslpasswd;

import java.io.IOException;
import java.io.PrintStream;
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
import org.sasldb4j.store.Backend;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreNotFoundException;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;
import org.sasldb4j.store.Entry;
import org.sasldb4j.cli.InvalidPasswordException;

/**
 * {@code saslpasswd --batch FILE|-}: checks every line first and writes nothing from a batch
 * with an error; then applies the lines in order, 100,000 lines per transaction (bounded
 * memory, visible progress). A crash between transactions leaves the first chunks applied and
 * only whole users; running the same batch again gives the same result.
 */
final class BatchRunner {
    /**
     * Lines per transaction. Each commit is an fsync, which on slow disks costs more than writing
     * 100,000 users; the chunk still bounds the memory of one transaction.
     * The system property {@code sasldb4j.batch.chunk} overrides it, for tuning and tests.
     */
    static final int CHUNK = Integer.getInteger("sasldb4j.batch.chunk", 100_000);

    private final CliEnvironment env;
    private final Diagnostics diag;
    private final Path path;
    private final Backend backend;
    private final DefaultRealm.Choice realm;
    private final PasswordRecords records;

    BatchRunner(CliEnvironment env, Diagnostics diag, Path path, Backend backend, DefaultRealm.Choice realm,
                PasswordRecords records) {
        this.env = env;
        this.diag = diag;
        this.path = path;
        this.backend = backend;
        this.realm = realm;
        this.records = records;
    }

    int run(String batch) {
        String source = batch.equals("-") ? "stdin" : batch;
        byte[] data;
        try {
            data = batch.equals("-") ? env.stdin().readAllBytes() : Files.readAllBytes(Path.of(batch));
        } catch (IOException e) {
            diag.error("cannot read the batch " + source + ": " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        try {
            return run(source, data);
        } finally {
            Arrays.fill(data, (byte) 0);
        }
    }

    private int run(String source, byte[] data) {
        byte[] realmBytes = realm.realm().getBytes(StandardCharsets.UTF_8);
        BatchParser.Result parsed = new BatchParser(source, realmBytes).parse(data);
        if (parsed.errorCount() > 0) {
            parsed.errors().forEach(diag::error);
            int more = parsed.errorCount() - parsed.errors().size();
            diag.error((more > 0 ? "... and " + more + " more; " : "") + parsed.errorCount()
                    + (parsed.errorCount() == 1 ? " invalid line" : " invalid lines")
                    + " in the batch; nothing was written. Fix them and run the batch again");
            return ExitCodes.INVALID_INPUT;
        }
        List<BatchOp> ops = parsed.ops();
        List<String> unstorable = check(source, ops);
        if (!unstorable.isEmpty()) {
            unstorable.stream().limit(20).forEach(diag::error);
            diag.error(unstorable.size() + (unstorable.size() == 1 ? " password" : " passwords")
                    + " in the batch cannot be stored as " + records.describe() + "; nothing was written");
            return ExitCodes.INVALID_INPUT;
        }
        if (ops.isEmpty()) {
            diag.note("the batch " + source + " has no add or del lines; nothing to do");
            return ExitCodes.OK;
        }
        if (parsed.usesDefaultRealm() && realm.fromHostname()) {
            diag.note("ids without @ get " + UserChecks.hostnameRealmNote(realm.realm(), null)
                    .replace("the realm is", "the realm"));
        }
        boolean anyAdd = ops.stream().anyMatch(o -> !o.delete());
        StoreOptions options = anyAdd
                ? StoreOptions.create().withBackend(backend)
                : StoreOptions.create().withAccess(StoreOptions.Access.READ_WRITE);
        Outcome outcome = new Outcome();
        if (anyAdd) {
            SaslpasswdCommand.refuseForeign(path);
        }
        try (CredentialStore store = CredentialStore.open(path, options)) {
            apply(store, ops, realmBytes, outcome);
        } catch (StoreNotFoundException e) {
            // Only del lines and no store: every user is missing, nothing is created.
            ops.forEach(o -> outcome.notFound.add(o.line()));
        }
        report(source, outcome);
        return ExitCodes.OK;
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

    private void apply(CredentialStore store, List<BatchOp> ops, byte[] realmBytes, Outcome outcome) {
        Progress progress = new Progress(ops.size());
        List<Planned> planned = inKeyOrder(ops, realmBytes);
        for (int from = 0; from < planned.size(); from += CHUNK) {
            List<Planned> chunk = planned.subList(from, Math.min(planned.size(), from + CHUNK));
            // Secrets are computed before the transaction (Argon2 must not hold the write lock)
            // and wiped after it committed (the work may be retried when the map grows).
            List<List<Entry>> secrets = secretsOf(chunk);
            try {
                Outcome part = store.write(w -> {
                    Outcome o = new Outcome();
                    for (int i = 0; i < chunk.size(); i++) {
                        Planned p = chunk.get(i);
                        if (p.op().delete()) {
                            if (w.deleteUser(p.user()) == 0) {
                                o.notFound.add(p.op().line());
                            } else {
                                o.deleted++;
                            }
                        } else {
                            records.apply(w, p.user(), secrets.get(i));
                            o.set++;
                        }
                    }
                    return o;
                });
                outcome.add(part);
            } finally {
                secrets.forEach(list -> list.forEach(Entry::wipe));
            }
            progress.show(from + chunk.size());
        }
        progress.done();
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

    /** Error lines for passwords the policy cannot store; empty if all are fine. */
    private List<String> check(String source, List<BatchOp> ops) {
        List<String> errors = new ArrayList<>();
        if (!records.checksPasswords()) {
            return errors;
        }
        for (BatchOp op : ops) {
            if (op.delete()) {
                continue;
            }
            byte[] pw = Arrays.copyOfRange(op.password(), op.passwordFrom(), op.passwordTo());
            try {
                records.check(pw);
            } catch (InvalidPasswordException e) {
                errors.add(source + ":" + op.line() + ": " + e.getMessage());
            } finally {
                Arrays.fill(pw, (byte) 0);
            }
        }
        return errors;
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

    /** What a run did. */
    private static final class Outcome {
        int set;
        int deleted;
        final List<Integer> notFound = new ArrayList<>();

        void add(Outcome o) {
            set += o.set;
            deleted += o.deleted;
            notFound.addAll(o.notFound);
        }
    }

    /** A progress line on stderr, only when it is a terminal (logs stay clean). */
    private final class Progress {
        private final int total;
        private final boolean on;

        Progress(int total) {
            this.total = total;
            this.on = env.stderrIsTerminal() && total > CHUNK;
        }

        void show(int done) {
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
