package org.sasldb4j.store.bdb;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.sasldb4j.store.DamagedStoreException;
import org.sasldb4j.store.MalformedKeyException;

/**
 * Where one pass sends the problems it finds. Keeps the policy in one place: by default damage
 * ends the pass; in salvage mode it is handed to {@code onDamage} and the reader skips the
 * damaged part. A malformed key is always skippable, so it always goes to {@code onDamage}.
 */
final class DamageSink {
    private final Path path;
    private final boolean salvage;
    private final Consumer<? super DamagedStoreException> onDamage;

    DamageSink(Path path, boolean salvage, Consumer<? super DamagedStoreException> onDamage) {
        this.path = path;
        this.salvage = salvage;
        this.onDamage = onDamage;
    }

    Path path() {
        return path;
    }

    /** A problem at {@code where} (e.g. "page 7" or "line 12"), worded for the user. */
    DamagedStoreException damage(String where, String what) {
        return new DamagedStoreException(path + ": " + where + ": " + what);
    }

    /** A problem concerning the whole file. */
    DamagedStoreException damage(String what) {
        return new DamagedStoreException(path + ": " + what);
    }

    /**
     * Reports damage the reader can step over: thrown by default, handed to {@code onDamage} in
     * salvage mode (after which the caller skips the damaged part).
     */
    void skip(DamagedStoreException problem) {
        if (!salvage) {
            throw problem;
        }
        onDamage.accept(problem);
    }

    /** A key without the Cyrus shape: always reported to {@code onDamage} and skipped. */
    void malformed(String where, String what) {
        onDamage.accept(new MalformedKeyException(path + ": " + where + ": " + what));
    }
}
