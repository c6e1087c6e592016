package org.sasldb4j.saslpasswd;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.sasldb4j.cli.CliEnvironment;
import org.sasldb4j.store.Backend;
import org.sasldb4j.store.CredentialStore;
import org.sasldb4j.store.StoreOptions;
import org.sasldb4j.store.UserId;

/**
 * Test helper run as a separate JVM by {@link ConcurrentWritersIT}: creates {@code COUNT} users
 * {@code PREFIX-NNNN@example.org} in a store, each as its own open / one write transaction /
 * close, as a separate {@code saslpasswd -c} run would.
 *
 * <p>Usage: {@code StoreWriterMain STORE BACKEND PREFIX COUNT [MODE]}; STORE is a file path or a
 * PostgreSQL address (BACKEND is then ignored by the store). MODE {@code saslpasswd}
 * (default) runs the real command once per user in this JVM,
 * {@code saslpasswd -p -c -f STORE -u example.org [--backend sqlite] USER} with the password on its
 * stdin; MODE {@code api} uses the store API directly (open, one write, close). Prints
 * {@code ready}, waits for one line on stdin (so that two processes start writing at the same
 * moment), then writes and prints {@code done N}. Any failure ends the process with exit code 1.
 */
public final class StoreWriterMain {
    private StoreWriterMain() {}

    public static void main(String[] args) throws Exception {
        String store = args[0]; // a file path or a server address
        Backend backend = Backend.parse(args[1]);
        String prefix = args[2];
        int count = Integer.parseInt(args[3]);
        System.out.println("ready");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        boolean api = args.length > 4 && args[4].equals("api");
        StoreOptions options = StoreOptions.create().withBackend(backend);
        for (int i = 0; i < count; i++) {
            String name = userName(prefix, i);
            if (api) {
                try (CredentialStore s = CredentialStore.open(store, options)) {
                    s.update(w -> w.put(UserId.of(name, "example.org"), "userPassword", password(name)));
                }
                continue;
            }
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CliEnvironment env = CliEnvironment.builder()
                    .stdin(new ByteArrayInputStream(password(name)))
                    .stderr(new PrintStream(err, true, StandardCharsets.UTF_8))
                    .hostname("testhost")
                    .build();
            List<String> cmd = new ArrayList<>(List.of("-p", "-c", "-f", store, "-u", "example.org"));
            if (backend != Backend.LMDB) {
                cmd.addAll(List.of("--backend", backend.toString()));
            }
            cmd.add(name);
            int rc = SaslpasswdCommand.run(env, cmd.toArray(String[]::new));
            if (rc != 0) {
                System.err.println("saslpasswd " + String.join(" ", cmd) + " exited " + rc + ": "
                        + err.toString(StandardCharsets.UTF_8));
                System.exit(1);
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
