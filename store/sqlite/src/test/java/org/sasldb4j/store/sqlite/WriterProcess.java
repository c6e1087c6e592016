package org.sasldb4j.store.sqlite;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.sasldb4j.store.Backend;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;

/**
 * Run in a separate JVM by the concurrency test: creates {@code count} users named
 * {@code <prefix><n>}, one transaction each, as {@code saslpasswd -c} would.
 */
public final class WriterProcess {
    private WriterProcess() {}

    public static void main(String[] args) {
        Path path = Path.of(args[0]);
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        try (CredentialStore s = CredentialStore.open(path, StoreOptions.create().withBackend(Backend.SQLITE))) {
            for (int i = 0; i < count; i++) {
                UserId u = UserId.of(prefix + i, "example.org");
                s.update(w -> w.put(u, "userPassword", "pw".getBytes(StandardCharsets.UTF_8)));
            }
        }
    }
}
