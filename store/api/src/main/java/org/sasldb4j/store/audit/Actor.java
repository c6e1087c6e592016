package org.sasldb4j.store.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Who made a change: this process's real user, and, when that is root, the user {@code sudo}
 * names in {@code SUDO_USER} / {@code SUDO_UID}.
 *
 * <p>Security: the sudo fields are what the environment says; they are recorded only for root
 * (a non-root user could set them to anything, and then they are left out), and root could set
 * them too, so they tell who asked sudo, not a proof.
 *
 * @param uid the real user id, or -1 if unknown
 * @param name the user name of {@code uid} (the JVM's {@code user.name}), or null
 * @param sudoUser {@code SUDO_USER} when {@code uid} is 0, else null
 * @param sudoUid {@code SUDO_UID} when {@code uid} is 0 and it is a number, else -1
 * @param pid this process's id
 */
public record Actor(int uid, String name, String sudoUser, long sudoUid, long pid) {

    /** This process, reading {@code SUDO_USER} and {@code SUDO_UID} through {@code getenv}. */
    public static Actor current(Function<String, String> getenv) {
        int uid = realUid();
        String sudoUser = null;
        long sudoUid = -1;
        if (uid == 0) {
            String u = getenv.apply("SUDO_USER");
            sudoUser = u == null || u.isEmpty() ? null : u;
            String n = getenv.apply("SUDO_UID");
            if (n != null && n.matches("[0-9]{1,10}")) {
                sudoUid = Long.parseLong(n);
            }
        }
        return new Actor(uid, System.getProperty("user.name"), sudoUser, sudoUid, ProcessHandle.current().pid());
    }

    /** The real uid (first field of {@code Uid:} in {@code /proc/self/status}), or -1. */
    static int realUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: unknown.
        }
        return -1;
    }
}
