package io.liftline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the processes a test starts, which must be told a port rather than bind port 0 themselves.
 *
 * <p>A port the kernel picks (bind to 0, close, hand it on) comes from the ephemeral range, which is also where every
 * outgoing connection's local port comes from: with a dozen processes connecting, one of them took a handed-out port
 * before the producer it was meant for bound it ("Address already in use"). These ports come from below that range,
 * where the kernel never picks, and each is reserved across the test JVMs that run in parallel by a file lock held
 * until this JVM exits.
 */
public final class Ports {

    /** Below it: the well-known ports, and those of the local RabbitMQ (25672 and its cluster's 2567x). */
    private static final int FIRST = 26_000;
    /** The default MongoDB ports that a developer's own store may use (27017, the benchmarks' 27117). */
    private static final int SKIP_FROM = 27_000;

    private static final int SKIP_TO = 27_199;
    private static final Set<Integer> handedOut = new HashSet<>();
    private static final List<FileLock> reservations = new ArrayList<>();

    private Ports() {}

    /** A port free on loopback now, which no other test JVM is handed and the kernel gives no outgoing connection. */
    public static synchronized int free() {
        int last = ephemeralFloor() - 1;
        if (last - FIRST < 1_000) {
            return kernelPick(); // an unusual ephemeral range: fall back to the racy pick rather than fail
        }
        int span = last - FIRST + 1;
        int start = ThreadLocalRandom.current().nextInt(span);
        for (int i = 0; i < span; i++) {
            int port = FIRST + (start + i) % span;
            if ((port >= SKIP_FROM && port <= SKIP_TO) || handedOut.contains(port)) {
                continue;
            }
            if (reserve(port) && bindable(port)) {
                handedOut.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free port on loopback between " + FIRST + " and " + last);
    }

    private static boolean reserve(int port) {
        try {
            Path dir = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "liftline-test-ports"));
            FileChannel file = FileChannel.open(
                    dir.resolve(Integer.toString(port)), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = file.tryLock();
            } catch (OverlappingFileLockException heldHere) {
                lock = null;
            }
            if (lock == null) {
                file.close(); // another test JVM holds it
                return false;
            }
            reservations.add(lock); // held, with its channel, until this JVM exits
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reserve port " + port, e);
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false); // a port still in TIME_WAIT would refuse a server that does not reuse
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first port of the kernel's ephemeral range (Linux's default when it cannot be read). */
    private static int ephemeralFloor() {
        try {
            // read as lines: procfs reports a size of 0, which readString takes too literally
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .get(0);
            return Integer.parseInt(range.strip().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    private static int kernelPick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }
}
