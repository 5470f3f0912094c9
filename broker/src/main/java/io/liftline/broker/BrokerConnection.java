package io.liftline.broker;

import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import io.liftline.runtime.Secrets;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's one long-lived broker connection. It connects in the background (retrying until the
 * broker answers, so an application may start before its broker) to any node the URI names, declares the
 * topology (or, as a user that may not configure, checks that it exists), then relies on the client's
 * automatic recovery; it tracks whether the broker has blocked publishers with a resource alarm.
 *
 * <p>Recovery reopens the connection and its channels, but topology recovery is off, so the client re-creates
 * no queue, binding or consumer: the topology is declared again here after each recovery, and consumers must
 * notice the loss of their subscription and subscribe again themselves (see the consumer's RideConsumer).
 *
 * <p>Each application picks the client transport its benchmark favours (see {@link Transport}). An
 * {@code amqps://} URI verifies the broker's certificate and always gets the socket transport, because the
 * client's Netty transport ignores the factory's TLS settings and would connect in plain text.
 */
public final class BrokerConnection implements AutoCloseable {

    /** The client's network transport. */
    public enum Transport {
        /**
         * Netty on one named I/O thread that outlives recoveries. It coalesces the flushes of many small
         * publishes and confirms where the socket transport writes each frame: on the two-core bench machine it
         * raised the producer's single-event rate at 256 connections by about a third.
         */
        NETTY,
        /**
         * Blocking socket I/O on one reader thread. The consumer drains faster on it: with Netty, two worker
         * processes on the bench machine drained no faster than one, where on sockets they drain 1.5-1.9x.
         */
        SOCKET
    }

    /** How often a broker that is down is tried again: the first connection, and a lost one after four quicker tries. */
    public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(1);

    /** How long {@link #close()} waits for a connection attempt in flight before it returns. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(BrokerConnection.class);

    private final ConnectionFactory factory;
    private final BrokerExceptionHandler exceptions = new BrokerExceptionHandler();
    private final String uriForLogs;
    private final BrokerNodes nodes;
    private final Shards shards;
    private final String connectionName;
    private final Duration retryInterval;
    private final ScheduledThreadPoolExecutor connector;
    private final EventLoopGroup io; // null on the socket transport

    private final List<BlockedListener> blockedListeners = new CopyOnWriteArrayList<>();
    private volatile Connection connection;
    /** Completed while a connection is up; replaced by a new one when it is lost (see {@link #whenConnected}). */
    private final AtomicReference<CompletableFuture<Void>> up = new AtomicReference<>(new CompletableFuture<>());

    private volatile boolean everConnected;
    /** When the connection last came up (System.nanoTime), first or recovered. */
    private volatile long connectedAtNanos;

    private volatile String blockedReason;
    private volatile String lastFailure = "not connected yet";
    private volatile boolean closed;
    private volatile boolean verifiedOnly;
    private boolean loggedFailure;

    public BrokerConnection(String amqpUri, String connectionName, Transport transport, Duration retryInterval) {
        this(amqpUri, connectionName, transport, retryInterval, Shards.ONE);
    }

    /** @param shards the ride queues this application declares, or checks */
    public BrokerConnection(
            String amqpUri, String connectionName, Transport transport, Duration retryInterval, Shards shards) {
        this.shards = shards;
        this.nodes = BrokerNodes.parse(amqpUri);
        this.factory = BrokerClients.factory(nodes);
        boolean tls = factory.isSSL();
        factory.setAutomaticRecoveryEnabled(true);
        // Off: the client would re-register consumers on recovered channels behind the application's back, and
        // re-declare only what this connection declared. Declared again by connect() and after each recovery.
        factory.setTopologyRecoveryEnabled(false);
        factory.setNetworkRecoveryInterval(retryInterval.toMillis());
        // The first tries after a loss come quickly (100, 200, 400, 800 ms, then every retryInterval): another node of
        // a cluster, or a broker back from a short restart, is then reached while the producer's held publishes still
        // have time left in their publish timeout.
        long retryMillis = retryInterval.toMillis();
        factory.setRecoveryDelayHandler(attempt ->
                Math.min(retryMillis, 100L << Math.min(Math.max(attempt - 1, 0), 10)));
        factory.setExceptionHandler(exceptions);
        if (transport == Transport.SOCKET || tls) {
            this.io = null;
        } else {
            // One connection needs one I/O thread; a group of our own keeps it named and alive across recoveries.
            this.io = new MultiThreadIoEventLoopGroup(
                    1, new DefaultThreadFactory(connectionName + "-io", true), NioIoHandler.newFactory());
            factory.netty().eventLoopGroup(io);
        }
        this.uriForLogs = Secrets.maskUri(amqpUri);
        this.connectionName = connectionName;
        this.retryInterval = retryInterval;
        this.connector = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, connectionName + "-connector");
            t.setDaemon(true);
            return t;
        });
        connector.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // a retry due after close() never runs
    }

    /** Starts connecting in the background; returns at once. */
    public void start() {
        connector.execute(this::connect);
    }

    /** Waits up to {@code timeout} for the first connection; true when connected. */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isConnected() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return isConnected();
    }

    /**
     * Also tells {@code listener} when the broker blocks or unblocks this connection (a resource alarm). It is
     * called on the connection's I/O thread: it must not block.
     */
    public void addBlockedListener(BlockedListener listener) {
        blockedListeners.add(listener);
    }

    private void connect() {
        if (closed) {
            return;
        }
        Connection c = null;
        try {
            // Several nodes: the client tries them in an order shuffled per attempt, and on recovery too.
            c = factory.newConnection(nodes.addresses(), connectionName);
            declareTopology(c);
            c.addBlockedListener(new BlockedListener() {
                @Override
                public void handleBlocked(String reason) throws IOException {
                    blockedReason = reason;
                    log.warn("broker blocked publishers: {}", reason);
                    for (BlockedListener listener : blockedListeners) {
                        listener.handleBlocked(reason);
                    }
                }

                @Override
                public void handleUnblocked() throws IOException {
                    blockedReason = null;
                    log.info("broker unblocked publishers");
                    for (BlockedListener listener : blockedListeners) {
                        listener.handleUnblocked();
                    }
                }
            });
            c.addShutdownListener(cause -> {
                up.updateAndGet(f -> f.isDone() ? new CompletableFuture<>() : f);
                if (!cause.isInitiatedByApplication()) {
                    String why = BrokerExceptionHandler.describe(cause);
                    lastFailure = "connection lost: " + why;
                    blockedReason = null;
                    log.warn(
                            "broker connection lost ({}); reconnecting (then every {} ms)",
                            why,
                            retryInterval.toMillis());
                }
            });
            if (c instanceof Recoverable recoverable) {
                Connection recovered = c;
                recoverable.addRecoveryListener(new RecoveryListener() {
                    @Override
                    public void handleRecovery(Recoverable r) {
                        exceptions.recovered();
                        log.info("broker connection recovered (node {})", node(recovered));
                        connectedAtNanos = System.nanoTime();
                        up.get().complete(null);
                        // Not on the thread that recovered: a declaration is an RPC that may need it.
                        onConnector(() -> connector.execute(() -> redeclareTopology(recovered)));
                    }

                    @Override
                    public void handleRecoveryStarted(Recoverable r) {
                        // the shutdown listener already logged the loss
                    }
                });
            }
            connection = c;
            if (closed) {
                return; // close() came meanwhile: release(), queued behind this attempt, closes this connection next
            }
            everConnected = true;
            connectedAtNanos = System.nanoTime();
            up.get().complete(null);
            log.info(
                    "connected to broker {} as {} ({} transport, node {})",
                    uriForLogs,
                    connectionName,
                    transport().name().toLowerCase(Locale.ROOT),
                    node(c));
        } catch (IOException | TimeoutException | RuntimeException e) {
            lastFailure = "cannot connect to " + uriForLogs + ": " + BrokerExceptionHandler.describe(e);
            if (c != null) {
                // Connected, but the topology could not be declared (permissions, an inequivalent queue): close
                // this connection before the next attempt opens another.
                lastFailure =
                        "cannot declare the topology on " + uriForLogs + ": " + BrokerExceptionHandler.describe(e);
                c.abort(1_000);
            }
            if (!loggedFailure) {
                log.warn("{}; retrying every {} ms", lastFailure, retryInterval.toMillis());
                loggedFailure = true;
            }
            if (!closed) {
                onConnector(() -> connector.schedule(this::connect, retryInterval.toMillis(), TimeUnit.MILLISECONDS));
            }
        }
    }

    /** Hands work to the connector thread, unless close() has shut it down meanwhile (then the work is moot). */
    private void onConnector(Runnable handOver) {
        try {
            handOver.run();
        } catch (RejectedExecutionException closing) {
            log.debug("{}: closed, not {}", connectionName, closing.getMessage());
        }
    }

    /**
     * Declares the topology; a least-privilege user (no configure permission, as the shipped broker users)
     * is refused, and then only checks that the topology exists, which needs no permission at all.
     */
    private void declareTopology(Connection c) throws IOException, TimeoutException {
        try (Channel channel = c.createChannel()) {
            Topology.declare(channel, shards);
        } catch (IOException e) {
            if (!BrokerExceptionHandler.isAccessRefused(e)) {
                throw e;
            }
            try (Channel channel = c.createChannel()) {
                Topology.verify(channel, shards);
            } catch (IOException missing) {
                throw new IOException(
                        "the topology is incomplete and this user may not declare it (an administrator loads it: "
                                + "liftline-ops topology load --shards=" + shards.count() + "): "
                                + BrokerExceptionHandler.describe(missing),
                        missing);
            }
            if (!verifiedOnly) {
                verifiedOnly = true;
                log.info(
                        "{}: this user may not configure the broker; the topology was checked, not declared",
                        connectionName);
            }
        }
    }

    /**
     * Declares the topology again on the current connection, or checks it where this user may not declare
     * (a consumer does this before subscribing, to bring back a queue whose deletion cancelled it).
     */
    public void ensureTopology() throws IOException, TimeoutException {
        Connection c = connection;
        if (c == null || !c.isOpen()) {
            throw new IOException("not connected: " + unavailableReason());
        }
        declareTopology(c);
    }

    /** After a recovery: the broker may have come back without the topology (a new node, a reset). */
    private void redeclareTopology(Connection c) {
        if (closed || !c.isOpen()) {
            return;
        }
        try {
            declareTopology(c);
        } catch (IOException | TimeoutException | RuntimeException e) {
            log.warn(
                    "cannot declare the topology after recovery ({}); publishes fail until it exists",
                    BrokerExceptionHandler.describe(e));
        }
    }

    /** The ride queues this connection's application uses. */
    public Shards shards() {
        return shards;
    }

    /** The node a connection reached: with a cluster, which of the URI's nodes it is. */
    private static String node(Connection c) {
        return c.getAddress().getHostAddress() + ":" + c.getPort();
    }

    /** A failure in one line: each exception of its cause chain, with its message (no stack trace). */
    public static String describe(Throwable failure) {
        return BrokerExceptionHandler.describe(failure);
    }

    /** The transport in use: the one asked for, except that an {@code amqps://} URI always uses sockets. */
    public Transport transport() {
        return io == null ? Transport.SOCKET : Transport.NETTY;
    }

    /** The open connection, or null while the broker is unreachable. */
    public Connection connection() {
        Connection c = connection;
        return c != null && c.isOpen() ? c : null;
    }

    public boolean isConnected() {
        return connection() != null;
    }

    /**
     * True while a connection that was up is lost and not closed by the application: the client is reconnecting
     * (to the same node or, with several, to another). False before the first connection and after close.
     */
    public boolean isRecovering() {
        return everConnected && !closed && !isConnected();
    }

    /**
     * Completes when a connection is up: at once when one is, otherwise on the next successful connect or
     * recovery. It may complete just before a loss is noticed, so check {@link #isConnected} again; it is completed on
     * the client's threads, so what depends on it must not block there. Never completes after {@link #close}.
     */
    public CompletableFuture<Void> whenConnected() {
        CompletableFuture<Void> next = up.get();
        return isConnected() ? CompletableFuture.completedFuture(null) : next;
    }

    /** How long the connection has been up since it last came up (first or recovered); null while it is down. */
    public Duration upFor() {
        return isConnected() ? Duration.ofNanos(System.nanoTime() - connectedAtNanos) : null;
    }

    /** The broker's reason while it blocks publishers (a memory or disk alarm), else null. */
    public String blockedReason() {
        return blockedReason;
    }

    /** Why the broker cannot be used now, or null when it can: for readiness and 503 messages. */
    public String unavailableReason() {
        if (!isConnected()) {
            return "broker unreachable (" + lastFailure + ")";
        }
        String blocked = blockedReason;
        return blocked == null ? null : "broker blocked by a resource alarm (" + blocked + ")";
    }

    /**
     * Closes the connection and stops connecting. Waits up to {@link #CLOSE_WAIT} for a connection attempt in
     * flight (normally milliseconds; a broker that accepts and then stalls can hold one for the client's timeouts);
     * an attempt that outlasts the wait is closed as soon as it ends.
     */
    @Override
    public void close() {
        closed = true;
        // The connection and the I/O group are released on the connector thread, after any attempt in flight,
        // never under it. Interrupting an attempt (shutdownNow) makes the client abandon a Netty channel it has begun
        // to connect, and shutting the I/O group down under an attempt leaves its socket open for good: a Netty
        // channel is closed on its event loop, and that loop is gone. The broker then dropped the socket only at
        // its handshake timeout (10 s): a failed start left a connection behind (EdgeIT, one run in four).
        Future<?> released;
        try {
            released = connector.submit(this::release);
        } catch (RejectedExecutionException alreadyClosed) {
            return;
        }
        connector.shutdown();
        try {
            released.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.info("{}: a connection attempt is still in flight; it is closed as soon as it ends", connectionName);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.debug("closing the broker connection: {}", e.getCause().toString());
        }
    }

    /** On the connector thread, last: closes the connection, then the I/O group that its socket needs to close. */
    private void release() {
        Connection c = connection;
        if (c != null) {
            try {
                c.close(5_000);
            } catch (IOException | RuntimeException e) {
                log.debug("closing the broker connection: {}", e.toString());
            }
        }
        if (io != null) {
            io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
