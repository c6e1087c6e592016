package org.sasldb4j.store;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/** A zero-byte file opened read-only: a store with no records that cannot be written. */
final class EmptyStore implements CredentialStore {
    private final Path path;

    EmptyStore(Path path) {
        this.path = path;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public StoreFormat format() {
        return StoreFormat.EMPTY;
    }

    @Override
    public Optional<byte[]> get(UserId user, String property) {
        return Optional.empty();
    }

    @Override
    public List<Entry> user(UserId user) {
        return List.of();
    }

    @Override
    public void forEach(Consumer<? super Entry> action, Consumer<? super DamagedStoreException> onDamage) {}

    @Override
    public <R> R write(Function<StoreWriter, R> work) {
        throw new StoreException(path + " was opened read-only");
    }

    @Override
    public void close() {}
}
