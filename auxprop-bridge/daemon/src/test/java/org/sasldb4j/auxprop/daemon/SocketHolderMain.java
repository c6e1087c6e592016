package org.sasldb4j.auxprop.daemon;

import java.nio.file.Path;

/** A process that binds a socket the daemon's way and holds it until killed (tests kill it with SIGKILL). */
public final class SocketHolderMain {
    private SocketHolderMain() {}

    public static void main(String[] args) throws Exception {
        SocketFiles.bind(Path.of(args[0]), null, 4);
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
