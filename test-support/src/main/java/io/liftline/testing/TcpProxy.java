package io.liftline.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of the broker (or the store) that a test can cut and restore: to the
 * application behind it, a cut looks exactly like the server going away, without stopping the server the
 * other tests share.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean cut;
    private volatile boolean paused;
    private volatile int pauseAtChannelOpen; // 0: off; n: at the n-th channel.open of a connection
    private volatile boolean blackHoled;
    private volatile boolean closed;

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The connections the proxy has forwarded so far, open or closed. */
    public int accepted() {
        return accepted.get();
    }

    /** The connections open through the proxy now. */
    public int connections() {
        return sockets.size() / 2;
    }

    /** Drops every connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        // With the acceptor's registration under the same lock: a connection it was making meanwhile is either
        // registered before (and closed here) or sees the cut after (and is closed there), never left open.
        synchronized (sockets) {
            cut = true;
            for (Socket socket : sockets) {
                closeQuietly(socket);
            }
            sockets.clear();
        }
    }

    public void restore() {
        cut = false;
        blackHoled = false;
    }

    /**
     * Forwards nothing either way, and closes nothing, until {@link #restore()}: a network that drops packets.
     * Each side notices only by its own timeouts (heartbeats, server selection); new connections hang the same way.
     */
    public void blackHole() {
        blackHoled = true;
    }

    /** Holds everything the server sends (confirms, for a broker) until {@link #resume()}; requests still pass. */
    public void pauseReplies() {
        paused = true;
    }

    /**
     * Lets an AMQP client complete its handshake, then holds the broker's replies from the moment the client
     * opens its first channel (until {@link #resume()}): the client waits on {@code channel.open-ok}.
     */
    public void pauseRepliesWhenAChannelOpens() {
        pauseRepliesAtChannelOpen(1);
    }

    /**
     * As {@link #pauseRepliesWhenAChannelOpens()}, from the n-th {@code channel.open} a connection sends: the
     * application's own first channels (its topology's declaration) get through. Applies to connections made after.
     */
    public void pauseRepliesAtChannelOpen(int n) {
        pauseAtChannelOpen = n;
    }

    /** True while replies are held. */
    public boolean pausingReplies() {
        return paused;
    }

    public void resume() {
        pauseAtChannelOpen = 0;
        paused = false;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (cut) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(targetHost, targetPort), 3_000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                synchronized (sockets) {
                    if (cut) { // cut while this connection was being made
                        closeQuietly(client);
                        closeQuietly(upstream);
                        continue;
                    }
                    sockets.add(client);
                    sockets.add(upstream);
                }
                accepted.incrementAndGet();
                int nth = pauseAtChannelOpen;
                pump(client, upstream, false, nth > 0 ? new AmqpFrames(nth) : null);
                pump(upstream, client, true, null);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean replies, AmqpFrames requests) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        while (blackHoled && !cut) {
                            Thread.sleep(5); // a connection made during a black hole gets no answer
                        }
                        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                            while (((replies && paused) || blackHoled) && !cut) {
                                Thread.sleep(5);
                            }
                            if (requests != null
                                    && pauseAtChannelOpen > 0
                                    && requests.reachesTheChannelOpen(buffer, n)) {
                                paused = true; // before the broker sees channel.open: its answer is held
                            }
                            out.write(buffer, 0, n);
                        }
                    } catch (IOException | InterruptedException e) {
                        // one side closed: close both below
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                        sockets.remove(from);
                        sockets.remove(to);
                    }
                },
                "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Follows the frames an AMQP 0-9-1 client sends: header, then type (1), channel (2), size (4), payload, end (1);
     * a method frame's payload begins with its class id (2) and method id (2): channel.open is 20, 10.
     */
    private static final class AmqpFrames {
        private final int openAt;
        private int opens;
        private int skip = 8; // the protocol header
        private final byte[] header = new byte[11]; // the frame header and, for a method, its class and method ids
        private int headerRead;

        AmqpFrames(int openAt) {
            this.openAt = openAt;
        }

        /** Reads the next {@code n} bytes of the stream; true once the {@code openAt}-th channel.open began in them. */
        boolean reachesTheChannelOpen(byte[] bytes, int n) {
            boolean reached = false;
            for (int i = 0; i < n; i++) {
                if (skip > 0) {
                    skip--;
                    continue;
                }
                header[headerRead++] = bytes[i];
                ByteBuffer frame = ByteBuffer.wrap(header); // big-endian, as AMQP
                boolean method = frame.get(0) == 1; // a heartbeat (8) has no payload at all
                if (headerRead == 7 && !method) {
                    skip = frame.getInt(3) + 1; // payload and frame-end
                    headerRead = 0;
                } else if (headerRead == header.length) {
                    if (frame.getShort(1) != 0
                            && frame.getShort(7) == 20
                            && frame.getShort(9) == 10
                            && ++opens == openAt) {
                        reached = true;
                    }
                    skip = frame.getInt(3) - 4 + 1; // the rest of the payload, and frame-end
                    headerRead = 0;
                }
            }
            return reached;
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        cut();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
