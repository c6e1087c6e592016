package org.sasldb4j.store;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Adds a source's users to a store that already has some ({@code sasldbconvert --merge}).
 *
 * <p>The unit is the user, never the record: a user's records all come from one side, so no
 * secret of one file survives next to secrets of the other (a user switched to hashed secrets in
 * the target never gets the source's old plaintext back beside them). For each user of the source:
 * <ul>
 *   <li>not in the target: added (and reported: it may be a user the target deleted on purpose);
 *   <li>the same records, byte for byte: left alone;
 *   <li>different records: a conflict. Neither file says which side is newer, so without a
 *       {@link Conversion.Prefer} the merge writes nothing and names every such user; with
 *       {@code SOURCE} the user's records in the target are replaced by the source's, with
 *       {@code TARGET} they are kept. Either way each user is reported.
 * </ul>
 * Users only in the target are not touched.
 */
final class Merge {
    private final Conversion.Prefer prefer;
    private final boolean dryRun;
    private final List<Entry> expected = new ArrayList<>();
    private final List<String> changes = new ArrayList<>();
    private final List<String> conflicts = new ArrayList<>();

    Merge(Conversion.Prefer prefer, boolean dryRun) {
        this.prefer = prefer;
        this.dryRun = dryRun;
    }

    /**
     * Plans (and, with a writer, applies) the merge of {@code records} (key order, one per key).
     * May run again when the transaction is retried: starts afresh each time.
     *
     * @param target the target's records of a user (copies, wiped here)
     * @param w the writer, or null for a dry run
     * @throws MergeConflictException if users differ and no side was preferred
     */
    void run(List<Entry> records, Function<UserId, List<Entry>> target, StoreWriter w) {
        expected.clear();
        changes.clear();
        conflicts.clear();
        int from = 0;
        while (from < records.size()) {
            int to = from + 1;
            while (to < records.size() && records.get(to).sameUser(records.get(from))) {
                to++;
            }
            user(records.subList(from, to), target, w);
            from = to;
        }
        if (!conflicts.isEmpty()) {
            throw new MergeConflictException(conflicts);
        }
    }

    private void user(List<Entry> mine, Function<UserId, List<Entry>> target, StoreWriter w) {
        Entry first = mine.get(0);
        UserId user = first.user();
        String name = Reachability.quoted(first.authidBytes(), first.realmBytes());
        List<Entry> theirs = target.apply(user);
        try {
            if (theirs.isEmpty()) {
                write(w, user, mine, false);
                changes.add(verb("added", "would add") + " " + name + " (" + count(mine.size())
                        + "; not in the target: if it was deleted there on purpose, delete it again)");
            } else if (same(mine, theirs)) {
                expected.addAll(mine);
            } else if (prefer == Conversion.Prefer.SOURCE) {
                write(w, user, mine, true);
                changes.add(verb("replaced", "would replace") + " " + name + " (the target's " + count(theirs.size())
                        + " by the source's " + count(mine.size()) + ")");
            } else if (prefer == Conversion.Prefer.TARGET) {
                changes.add(verb("kept", "would keep") + " " + name + " (the target's " + count(theirs.size())
                        + "; the source's " + count(mine.size()) + " differ and were not copied)");
            } else {
                conflicts.add(name + ": the target's " + count(theirs.size()) + " differ from the source's "
                        + count(mine.size()));
            }
        } finally {
            theirs.forEach(Entry::wipe);
        }
    }

    private void write(StoreWriter w, UserId user, List<Entry> mine, boolean replace) {
        if (w != null) {
            if (replace) {
                w.deleteUser(user);
            }
            mine.forEach(w::put);
        }
        expected.addAll(mine);
    }

    /** Records the target must hold afterwards, in key order (for the read-back). */
    List<Entry> expected() {
        return expected;
    }

    /** One line per user added, replaced or kept. */
    List<String> changes() {
        return changes;
    }

    private String verb(String done, String planned) {
        return dryRun ? planned : done;
    }

    private static String count(int n) {
        return n + (n == 1 ? " record" : " records");
    }

    /** Equal record sets (both in key order); values compared in constant time. */
    private static boolean same(List<Entry> a, List<Entry> b) {
        if (a.size() != b.size()) {
            return false;
        }
        boolean same = true;
        for (int i = 0; i < a.size(); i++) {
            same &= a.get(i).sameAs(b.get(i));
        }
        return same;
    }
}
