package org.sasldb4j.store.lmdb;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;

/**
 * A long-lived reader in its own process, as a mail server's would be: opens the store once,
 * then prints the number of records for every line read on stdin, until stdin ends.
 */
public final class StoreReaderMain {
    private StoreReaderMain() {}

    public static void main(String[] args) throws Exception {
        try (CredentialStore s = CredentialStore.open(Path.of(args[0]), StoreOptions.readOnly());
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            System.out.println("open");
            System.out.flush();
            while (in.readLine() != null) {
                long[] n = {0};
                s.forEach(e -> n[0]++);
                System.out.println(n[0]);
                System.out.flush();
            }
        }
    }
}
