package org.sasldb4j.auxprop.daemon;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Tells systemd ({@code Type=notify}) that the daemon is ready, once every socket listens, so
 * units ordered after it (Postfix) never meet a missing socket.
 *
 * <p>Java 17 cannot send AF_UNIX datagrams, so the message goes through {@code systemd-notify
 * --ready}, a child process: the unit needs {@code NotifyAccess=all}. {@code --pid} names this
 * JVM as the main process; systemd accepts that identity only from root, otherwise it goes by the
 * child's own pid, which is why {@code NotifyAccess=main} would not do. A failure is one warning
 * line and nothing else: the daemon serves anyway, and systemd's start timeout reports it.
 */
final class SystemdNotify {
    private static final Logger LOG = Logger.getLogger("org.sasldb4j.authd");
    /** systemd-notify sends one datagram and exits; this only guards against a hung child. */
    private static final long TIMEOUT_SECONDS = 10;

    private SystemdNotify() {}

    /**
     * Sends {@code READY=1} if {@code notifySocket} (the value of {@code $NOTIFY_SOCKET}) is set.
     *
     * @return true if sent, false if not under systemd or if sending failed (then logged)
     */
    static boolean ready(String notifySocket) {
        if (notifySocket == null || notifySocket.isEmpty()) {
            return false;
        }
        List<String> command = List.of("systemd-notify", "--ready", "--pid=" + ProcessHandle.current().pid());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("NOTIFY_SOCKET", notifySocket);
        try {
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return warn("systemd-notify did not exit within " + TIMEOUT_SECONDS + " s");
            }
            return p.exitValue() == 0 || warn("systemd-notify --ready exited with status " + p.exitValue());
        } catch (IOException e) {
            return warn("cannot run systemd-notify (" + e.getMessage() + "); install systemd's tools");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return warn("interrupted while telling systemd");
        }
    }

    private static boolean warn(String why) {
        LOG.warning(() -> "$NOTIFY_SOCKET is set but READY=1 was not sent: " + why);
        return false;
    }
}
