package io.liftline.producer.amqp;

import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Connection;
import io.liftline.broker.BrokerConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of confirm-mode channels on the one broker connection. A caller borrows a channel only while it
 * publishes, then returns it and awaits its confirms without holding it, so a few channels serve many requests.
 *
 * <p>Channels are opened only by the pool's own filler thread, never by a borrower, as HikariCP's house-keeper
 * adds connections: {@code channel.open} is an RPC, and a broker that has blocked the connection (a resource
 * alarm) does not answer it until the alarm clears, so a request thread that opened one would hang for the
 * channel RPC timeout. commons-pool2, used here before, creates on the borrowing thread whenever the pool is
 * below its size, which is why it was replaced. A borrower waits for an idle channel instead, and is answered
 * at once when the broker blocks.
 */
public final class ChannelPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChannelPool.class);
    /** How often the filler checks the pool even when nobody asked: after a reconnect, before any request. */
    private static final Duration FILL_INTERVAL = Duration.ofSeconds(1);

    private static final long REFUSED_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final BrokerConnection broker;
    private final int size;
    private final int maxInFlight;
    private final Duration acquireTimeout;
    private final PublishListener listener;
    /** Channels replaced for a refused first publish since the last line about them. */
    private final AtomicInteger refusedSinceLogged = new AtomicInteger();
    /** When that line was (at first: long enough ago for the first refusal to get a line). */
    private final AtomicLong refusedLoggedAt = new AtomicLong(System.nanoTime() - REFUSED_LOG_INTERVAL_NANOS);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ConfirmChannel> idle = new ArrayDeque<>(); // guarded by lock
    private int lent; // guarded by lock
    private int waiters; // guarded by lock
    private boolean closed; // guarded by lock

    private final ScheduledExecutorService filler;
    private final AtomicBoolean fillRequested = new AtomicBoolean();
    private String lastFillFailure;

    public ChannelPool(
            BrokerConnection broker,
            int size,
            int maxInFlightPerChannel,
            Duration acquireTimeout,
            PublishListener listener) {
        this.broker = broker;
        this.size = size;
        this.maxInFlight = maxInFlightPerChannel;
        this.acquireTimeout = acquireTimeout;
        this.listener = listener;
        this.filler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "channel-pool-filler");
            t.setDaemon(true);
            return t;
        });
        filler.scheduleWithFixedDelay(this::fill, 0, FILL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        broker.addBlockedListener(new BlockedListener() {
            @Override
            public void handleBlocked(String reason) {
                wakeWaiters(); // they answer BrokerBlocked now rather than wait out the acquire timeout
            }

            @Override
            public void handleUnblocked() {
                requestFill();
            }
        });
    }

    /** Lends an open channel, waiting up to the acquire timeout for one; give it back with {@link #release}. */
    ConfirmChannel borrow() throws PublishException, InterruptedException {
        long deadline = System.nanoTime() + acquireTimeout.toNanos();
        lock.lock();
        try {
            waiters++;
            try {
                while (true) {
                    refuseWhileUnusable();
                    ConfirmChannel channel = idle.pollFirst();
                    if (channel != null && channel.isUsable()) {
                        lent++;
                        return channel;
                    }
                    if (channel != null) {
                        discard(channel);
                        continue;
                    }
                    if (lent < size) {
                        requestFill(); // fewer open than the size: the filler opens more; this thread never does
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new PublishException.PoolExhausted("no channel free within " + acquireTimeout.toMillis()
                                + " ms (" + stateLocked(waiters - 1) + ")");
                    }
                    changed.awaitNanos(left);
                }
            } finally {
                waiters--;
            }
        } finally {
            lock.unlock();
        }
    }

    private void refuseWhileUnusable() throws PublishException {
        if (closed) {
            throw new PublishException.BrokerUnavailable("the producer is shutting down", null);
        }
        if (!broker.isConnected()) {
            throw new PublishException.BrokerUnavailable(broker.unavailableReason(), null);
        }
        String blocked = broker.blockedReason(); // read once: the alarm may clear between two reads
        if (blocked != null) {
            throw PublishException.BrokerBlocked.because(blocked);
        }
    }

    /** Takes a borrowed channel back; one that broke while lent is closed, and the filler replaces it. */
    void release(ConfirmChannel channel) {
        lock.lock();
        try {
            lent--;
            if (channel.isUsable() && !closed) {
                idle.addFirst(channel); // the most recently used first: its TCP and broker state are warm
                changed.signal();
                return;
            }
        } finally {
            lock.unlock();
        }
        discard(channel);
    }

    /** Closes a dead or broken channel on the filler thread (channel.close is an RPC too), which then replaces it. */
    private void discard(ConfirmChannel channel) {
        if (channel.refusedFromTheStart()) {
            logRefused();
        }
        onFiller(channel::close);
        requestFill();
    }

    /**
     * One line every ten seconds at most: while a quorum queue has no leader, every fresh channel's first publish is
     * refused too, and the pool may replace several a second (each counted in the metrics).
     */
    private void logRefused() {
        int since = refusedSinceLogged.incrementAndGet();
        long now = System.nanoTime();
        long last = refusedLoggedAt.get();
        if (now - last >= REFUSED_LOG_INTERVAL_NANOS && refusedLoggedAt.compareAndSet(last, now)) {
            refusedSinceLogged.addAndGet(-since);
            log.warn(
                    "replacing {} channel(s) the broker refused from their first publish to a queue (nack): after a"
                            + " failover, RabbitMQ 3.10 refuses such a channel for as long as the old leader is down",
                    since);
        }
    }

    private void requestFill() {
        if (fillRequested.compareAndSet(false, true)) {
            onFiller(this::fill);
        }
    }

    private void onFiller(Runnable task) {
        try {
            filler.execute(task);
        } catch (RejectedExecutionException closing) {
            fillRequested.set(false); // closed: nothing more to open, and close() closes what is idle
        }
    }

    /** On the filler thread: opens channels until the pool holds its size, while the broker lets it. */
    private void fill() {
        fillRequested.set(false);
        while (true) {
            Connection connection;
            lock.lock();
            try {
                if (closed || idle.size() + lent >= size) {
                    return;
                }
                connection = broker.connection();
                if (connection == null || broker.blockedReason() != null) {
                    return; // tried again on the next tick, on unblock, or when a borrower asks
                }
            } finally {
                lock.unlock();
            }
            ConfirmChannel channel;
            try {
                channel = new ConfirmChannel(connection.createChannel(), maxInFlight, listener);
            } catch (IOException | RuntimeException e) {
                String failure = BrokerConnection.describe(e);
                if (!failure.equals(lastFillFailure)) {
                    log.warn(
                            "cannot open a publishing channel ({}); retrying every {} ms",
                            failure,
                            FILL_INTERVAL.toMillis());
                    lastFillFailure = failure;
                }
                return;
            }
            lastFillFailure = null;
            lock.lock();
            try {
                if (closed) {
                    channel.close();
                    return;
                }
                idle.addLast(channel);
                changed.signal();
            } finally {
                lock.unlock();
            }
        }
    }

    private void wakeWaiters() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public int active() {
        return underLock(() -> lent);
    }

    public int idle() {
        return underLock(idle::size);
    }

    public int waiting() {
        return underLock(() -> waiters);
    }

    /** The pool's state in one phrase, for timeout messages and logs. */
    public String state() {
        return underLock(() -> stateLocked(waiters));
    }

    private <T> T underLock(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    /** @param othersWaiting borrowers waiting, not counting the one that asks */
    private String stateLocked(int othersWaiting) {
        return "channels active=" + lent + ", idle=" + idle.size() + ", waiting=" + othersWaiting + ", max=" + size;
    }

    /**
     * Stops opening channels and closes the idle ones (lent ones when returned), without waiting for the broker:
     * a blocked broker answers no channel.close, and the connection's own close, which follows, ends them anyway.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            idle.forEach(channel -> onFiller(channel::close));
            idle.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        filler.shutdown(); // not awaited: it may be stuck in a channel.open or close that a blocked broker leaves
        // unanswered
    }
}
