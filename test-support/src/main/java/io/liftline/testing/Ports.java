package io.liftline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports for the processes a test starts, which must be told a port rather than bind port 0 themselves. */
public final class Ports {

    private Ports() {}

    /** A port free on loopback now (the kernel's pick; another process may take it before the test does). */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }
}
