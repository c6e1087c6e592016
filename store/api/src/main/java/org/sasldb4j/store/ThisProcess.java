package org.sasldb4j.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's effective user and umask, read once from {@code /proc/self/status} (Java has
 * neither {@code geteuid()} nor {@code umask()}).
 */
public final class ThisProcess {
    private static final int EUID;
    private static final int UMASK;

    static {
        int euid = -1;
        int umask = 077; // unknown: assume the strictest, so no file is made wider than asked
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Uid:")) {
                    euid = Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                } else if (line.startsWith("Umask:")) {
                    umask = Integer.parseInt(line.substring(6).trim(), 8);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: the checks below then trust root only (euid -1 matches no owner).
        }
        EUID = euid;
        UMASK = umask;
    }

    private ThisProcess() {}

    /** The effective user id, or -1 if unknown. */
    public static int euid() {
        return EUID;
    }

    /** The umask the process started with (Java cannot change it). */
    public static int umask() {
        return UMASK;
    }

    /** The mode of a new store file: {@code 0660 & ~umask}, never any access for others. */
    public static int newFileMode() {
        return 0660 & ~UMASK;
    }
}
