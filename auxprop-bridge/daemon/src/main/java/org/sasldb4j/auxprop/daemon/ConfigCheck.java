package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.sasldb4j.cli.ExitCodes;
import org.sasldb4j.cli.StoreAdvice;
import org.sasldb4j.store.StoreException;
import org.sasldb4j.store.secret.ScramSaltKey;

/**
 * {@code sasldb-authd --check-config}: the checks a start makes after the options are parsed
 * (the store opens and is safe, each socket's directory is safe, the pid file and the salt key
 * are acceptable), without binding a socket or writing a file, so it can run beside the
 * running daemon (e.g. {@code ExecReload=} or before a restart).
 */
final class ConfigCheck {
    private ConfigCheck() {}

    /** Prints {@code sasldb-authd: configuration OK} on {@code out} and returns 0, or one line on {@code err}. */
    static int run(OutputStream out, PrintStream err, DaemonConfig config, Supplier<AuthBackend> store, Path pidFile,
            Path saltKey) {
        try {
            for (Path socket : new Path[] {config.dovecotSocket(), config.saslauthdSocket()}) {
                if (socket != null) {
                    SocketFiles.checkDirectory(socket.toAbsolutePath().normalize().getParent());
                }
            }
            if (pidFile != null) {
                PidFile.check(pidFile);
            }
            // An existing key is read as a start would; a missing one would be created then, so only
            // its directory must exist.
            if (saltKey != null) {
                Path keyDir = saltKey.toAbsolutePath().getParent();
                if (Files.exists(saltKey, LinkOption.NOFOLLOW_LINKS)) {
                    ScramSaltKey.loadOrCreate(saltKey);
                } else if (keyDir == null || !Files.isDirectory(keyDir)) {
                    err.println("sasldb-authd: the directory of the salt key " + saltKey
                            + " does not exist; create it or choose another --salt-key");
                    return ExitCodes.FAILURE;
                }
            }
            store.get().close();
            out.write("sasldb-authd: configuration OK\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (StoreException e) {
            err.println("sasldb-authd: " + StoreAdvice.message(e));
            return ExitCodes.FAILURE;
        } catch (IOException e) {
            err.println("sasldb-authd: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
    }
}
