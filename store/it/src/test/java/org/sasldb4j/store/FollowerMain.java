package org.sasldb4j.store;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * A long-lived reader in its own process (run as another user by {@link UnreadableStoreIT}):
 * follows the store, and for every line on stdin prints {@code OK <alice's userPassword>} or
 * {@code ERR <message>}.
 */
public final class FollowerMain {
    private FollowerMain() {}

    public static void main(String[] args) throws Exception {
        try (FollowingStore s = FollowingStore.open(Path.of(args[0]), StoreOptions.readOnly().readingSecrets(),
                        Duration.ofMillis(50), Logger.getLogger("org.sasldb4j.store"));
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            System.out.println("open");
            System.out.flush();
            while (in.readLine() != null) {
                String answer;
                try {
                    answer = "OK " + s.get(UserId.of("alice", "example.org"), "userPassword")
                            .map(v -> new String(v, StandardCharsets.UTF_8)).orElse("-");
                } catch (StoreException e) {
                    answer = "ERR " + e.getMessage();
                }
                System.out.println(answer);
                System.out.flush();
            }
        }
    }
}
