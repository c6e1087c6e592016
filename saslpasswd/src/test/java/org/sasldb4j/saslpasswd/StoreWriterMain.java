package org.sasldb4j.saslpasswd;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.sasldb4j.store.Backend;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;

/**
 * Test helper run as a separate JVM by {@link ConcurrentWritersIT}: creates {@code COUNT} users
 * {@code PREFIX-NNNN@example.org} in a store, each as its own open / one write transaction /
 * close, as a separate {@code saslpasswd -c} run would.
 *
 * <p>Usage: {@code StoreWriterMain STORE BACKEND PREFIX COUNT}. Prints {@code ready}, waits for
 * one line on stdin (so that two processes start writing at the same moment), then writes and
 * prints {@code done N}. Any failure ends the process with exit code 1 and a stack trace.
 */
public final class StoreWriterMain {
    private StoreWriterMain() {}

    public static void main(String[] args) throws Exception {
        Path store = Path.of(args[0]);
        Backend backend = Backend.parse(args[1]);
        String prefix = args[2];
        int count = Integer.parseInt(args[3]);
        System.out.println("ready");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        StoreOptions options = StoreOptions.create().withBackend(backend);
        for (int i = 0; i < count; i++) {
            String name = userName(prefix, i);
            try (CredentialStore s = CredentialStore.open(store, options)) {
                s.update(w -> w.put(UserId.of(name, "example.org"), "userPassword", password(name)));
            }
        }
        System.out.println("done " + count);
        System.out.flush();
    }

    static String userName(String prefix, int i) {
        return String.format("%s-%04d", prefix, i);
    }

    static byte[] password(String user) {
        return ("pw:" + user).getBytes(StandardCharsets.UTF_8);
    }
}
