package io.liftline.producer.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BlockedListener;
import io.liftline.broker.BrokerConnection;
import io.liftline.broker.Shards;
import io.liftline.broker.Topology;
import io.liftline.model.LiftRide;
import io.liftline.model.RideJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes rides durably: persistent, mandatory messages through pooled confirm channels. The returned
 * future completes only when the broker has confirmed every ride of the call, and fails with a
 * {@link PublishException} otherwise, never later than the publish timeout.
 *
 * <p>A lost connection is ridden through, as a Kafka producer holds a send within its delivery timeout: a call that
 * finds the connection recovering, or whose channel dies under its unconfirmed publishes, is held and published
 * again (with the same event ids) as soon as the client has reconnected, to the same node or another. It fails only
 * when the publish timeout runs out first, or at once when the held calls already reach their bound in number or
 * bytes: what is held is memory and client connections.
 *
 * <p>When the broker blocks the connection (a memory or disk alarm), every call still waiting fails at once:
 * a blocked broker reads nothing more, so their confirms would only come after the alarm, long past the
 * timeout. Safe, because a retry carries the same event ids.
 */
public final class RidePublisher implements Publisher {

    /** A channel that dies under a publish while the connection stays up is tried this often in all (a channel error). */
    static final int MAX_ATTEMPTS = 3;
    /** Between two attempts at least: a connection that comes and goes at once must not spin a held call. */
    private static final Duration RETRY_WAIT = Duration.ofMillis(50);
    /**
     * A nack this soon after the connection came up is tried again, within the publish timeout. A connection that
     * failed over with its node reopens on another node while the quorum queue elects a new leader; the new
     * channels' first publishes are nacked until it has one and the queue's record names it, and such a channel
     * stays nacked after that (see {@link ConfirmChannel}): the pool replaces it, so the retry goes out on a fresh
     * channel. Later nacks (a queue at its max length) get a prompt 503, as before.
     */
    static final Duration NACK_RETRY_WINDOW = Duration.ofSeconds(10);
    /** The first wait before a nacked publish is tried again; it doubles up to a second. */
    private static final Duration NACK_RETRY_FIRST_WAIT = Duration.ofMillis(100);

    /** How many calls, and how many bytes of messages, may wait for the broker to come back at once. */
    public record HoldLimits(int maxRequests, long maxBytes) {
        /** Holds nothing: every call fails as soon as it finds no connection. */
        public static final HoldLimits NONE = new HoldLimits(0, 0);
    }

    private final BrokerConnection broker;
    private final Shards shards;
    private final ChannelPool pool;
    private final Duration publishTimeout;
    private final HoldLimits holdLimits;
    /** Runs held calls again: never the connection's I/O thread, which a borrow or a channel.open RPC would block. */
    private final ScheduledExecutorService retryScheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "publish-retry");
        t.setDaemon(true);
        return t;
    });
    /** The answer of every call not yet answered, so a block can answer them all at once. */
    private final Set<CompletableFuture<Void>> waiting = ConcurrentHashMap.newKeySet();
    /** Calls waiting for a connection; one callback on the connection (armed) releases them all when it is back. */
    private final Set<Call> held = ConcurrentHashMap.newKeySet();

    private final AtomicBoolean releaseArmed = new AtomicBoolean();
    private final AtomicInteger heldCalls = new AtomicInteger();
    private final AtomicLong heldBytes = new AtomicLong();
    private volatile boolean stopped;
    /** A call timed out with confirms outstanding, and none of them has been settled since (from overdueSince). */
    private volatile boolean confirmsOverdue;

    private volatile long overdueSince;

    public RidePublisher(BrokerConnection broker, ChannelPool pool, Duration publishTimeout) {
        this(broker, pool, publishTimeout, Shards.ONE, HoldLimits.NONE);
    }

    /**
     * @param shards     where a ride goes: the shard of its skier
     * @param holdLimits how much may wait for a lost connection to come back
     */
    public RidePublisher(
            BrokerConnection broker, ChannelPool pool, Duration publishTimeout, Shards shards, HoldLimits holdLimits) {
        this.shards = shards;
        this.broker = broker;
        this.pool = pool;
        this.publishTimeout = publishTimeout;
        this.holdLimits = holdLimits;
        broker.addBlockedListener(new BlockedListener() {
            @Override
            public void handleBlocked(String reason) {
                failWaiting(PublishException.BrokerBlocked.because(reason));
            }

            @Override
            public void handleUnblocked() {
                // new publishes go through again: start() checks the broker's state on each call
            }
        });
    }

    /** Publishes the rides; the future completes when all are confirmed. Blocks only to borrow a channel. */
    @Override
    public CompletableFuture<Void> publish(List<LiftRide> rides) {
        long deadline = System.nanoTime() + publishTimeout.toNanos();
        CompletableFuture<Void> answer = new CompletableFuture<>();
        waiting.add(answer);
        answer.whenComplete((ok, failure) -> waiting.remove(answer));
        run(new Call(rides, deadline, answer));
        return answer;
    }

    /** One call's state across its attempts. */
    private final class Call {
        final List<LiftRide> rides;
        final long deadline;
        final CompletableFuture<Void> answer;
        int attempts;
        long heldBytes = -1; // counted in the hold while >= 0
        volatile ScheduledFuture<?> timeout; // while held: fails the call when its publish timeout runs out

        Call(List<LiftRide> rides, long deadline, CompletableFuture<Void> answer) {
            this.rides = rides;
            this.deadline = deadline;
            this.answer = answer;
        }

        void succeed() {
            unhold();
            answer.complete(null);
        }

        void fail(Throwable failure) {
            unhold();
            answer.completeExceptionally(failure);
        }

        /** Takes a place among the held calls; false when the bound is reached. */
        boolean hold() {
            if (heldBytes >= 0) {
                return true;
            }
            long bytes =
                    rides.stream().mapToLong(r -> RideJson.toMessage(r).length).sum();
            if (heldCalls.incrementAndGet() > holdLimits.maxRequests()
                    | RidePublisher.this.heldBytes.addAndGet(bytes) > holdLimits.maxBytes()) {
                heldCalls.decrementAndGet();
                RidePublisher.this.heldBytes.addAndGet(-bytes);
                return false;
            }
            heldBytes = bytes;
            return true;
        }

        private void unhold() {
            if (heldBytes >= 0) {
                heldCalls.decrementAndGet();
                RidePublisher.this.heldBytes.addAndGet(-heldBytes);
                heldBytes = -1;
            }
        }
    }

    private void run(Call call) {
        if (call.answer.isDone()) {
            call.fail(new PublishException.BrokerUnavailable(
                    "answered already", null)); // a block answered it: only unhold
            return;
        }
        call.attempts++;
        attempt(call.rides, call.deadline).whenComplete((ok, failure) -> {
            if (failure == null) {
                call.succeed();
                return;
            }
            PublishException cause = unwrapped(failure);
            if (call.answer.isDone()) {
                call.fail(cause); // answered meanwhile (a block): only the hold is given back
            } else if (cause instanceof PublishException.Nacked && mayRetryTheNack(call)) {
                retryTheNack(call, cause);
            } else if (!mayWaitForTheBroker(call, cause)) {
                call.fail(cause);
            } else if (broker.isRecovering() && !call.hold()) { // a channel's own retry is brief: not held, not bounded
                call.fail(new PublishException.BrokerUnavailable(
                        cause.getMessage() + "; not held for the reconnect: " + heldCalls.get() + " requests ("
                                + heldBytes.get() + " bytes) already wait for it",
                        cause));
            } else {
                waitForTheBroker(call, cause);
            }
        });
    }

    /**
     * A call may wait when the connection is lost and being recovered (its channel died with it, or it found none),
     * or when its channel alone died, a few times. Not when the producer stops, nor on a nack, a return, an alarm or
     * a timeout: those would meet the same answer again, and the scanner is better served by a prompt 503 (a nack
     * soon after a reconnect is the exception, see {@link #NACK_RETRY_WINDOW}).
     */
    private boolean mayWaitForTheBroker(Call call, PublishException cause) {
        if (stopped || call.deadline - System.nanoTime() <= 0) {
            return false;
        }
        if (broker.isRecovering()) {
            return cause instanceof PublishException.ChannelClosed
                    || cause instanceof PublishException.BrokerUnavailable;
        }
        return cause instanceof PublishException.ChannelClosed && call.attempts < MAX_ATTEMPTS;
    }

    /** A nack soon after the connection came up, with time left: the queue may be electing its leader. */
    private boolean mayRetryTheNack(Call call) {
        Duration up = broker.upFor();
        return !stopped && up != null && up.compareTo(NACK_RETRY_WINDOW) < 0 && call.deadline - System.nanoTime() > 0;
    }

    /** Runs a nacked call again (the same event ids) after a wait that doubles, or fails it when that outlasts its time. */
    private void retryTheNack(Call call, PublishException cause) {
        long wait = Math.min(
                TimeUnit.SECONDS.toNanos(1), NACK_RETRY_FIRST_WAIT.toNanos() << Math.min(call.attempts - 1, 4));
        if (call.deadline - System.nanoTime() <= wait) {
            call.fail(cause);
            return;
        }
        try {
            retryScheduler.schedule(() -> run(call), wait, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            call.fail(cause);
        }
    }

    /**
     * Holds the call until a connection is up, then runs it again (after at least RETRY_WAIT), or fails it when its
     * time runs out. Held calls wait in a set of their own with a timer each, and one callback per outage on the
     * connection releases them all: a dependent per call on the connection's future would stay reachable from it
     * after its call timed out, for as long as an outage lasts.
     */
    private void waitForTheBroker(Call call, PublishException cause) {
        long left = call.deadline - System.nanoTime();
        held.add(call); // before its timer: a timer that fired first would find nothing to fail, and leave it held
        try {
            call.timeout = retryScheduler.schedule(
                    () -> {
                        if (held.remove(call)) {
                            call.fail(new PublishException.BrokerUnavailable(
                                    cause.getMessage() + "; the broker did not come back "
                                            + "within the publish timeout of " + publishTimeout.toMillis() + " ms",
                                    cause));
                        }
                    },
                    left,
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            if (held.remove(call)) {
                call.fail(cause);
            }
            return;
        }
        if (releaseArmed.compareAndSet(false, true)) {
            broker.whenConnected().thenRun(() -> {
                releaseArmed.set(false);
                releaseHeld();
            });
        }
        if (broker.isConnected()) {
            releaseHeld(); // connected meanwhile (or a channel's own retry): the callback may have run before the add
        }
    }

    /** Runs every held call again, on the retry threads; never blocks (it may run on the connection's thread). */
    private void releaseHeld() {
        for (Call call : held) {
            if (held.remove(call)) {
                ScheduledFuture<?> timer = call.timeout;
                if (timer != null) {
                    timer.cancel(false); // null: released before its timer was set; the timer then finds nothing
                }
                try {
                    retryScheduler.schedule(() -> run(call), RETRY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException stopping) {
                    call.fail(new PublishException.BrokerUnavailable("the producer is shutting down", null));
                }
            }
        }
    }

    /** Answers every call still waiting with this failure (the confirms themselves stay tracked by their channel). */
    private void failWaiting(PublishException failure) {
        for (CompletableFuture<Void> answer : waiting) {
            answer.completeExceptionally(failure);
        }
    }

    private CompletableFuture<Void> attempt(List<LiftRide> rides, long deadline) {
        try {
            if (deadline - System.nanoTime() <= 0) {
                throw new PublishException.ConfirmTimeout(
                        "no time left within " + publishTimeout.toMillis() + " ms to publish");
            }
            return start(rides, deadline);
        } catch (PublishException e) {
            return CompletableFuture.failedFuture(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(
                    new PublishException.BrokerUnavailable("interrupted while publishing", e));
        }
    }

    private CompletableFuture<Void> start(List<LiftRide> rides, long deadline)
            throws PublishException, InterruptedException {
        if (stopped) {
            throw new PublishException.BrokerUnavailable("the producer is shutting down", null);
        }
        String blocked = broker.blockedReason();
        if (blocked != null) {
            throw PublishException.BrokerBlocked.because(blocked);
        }
        List<CompletableFuture<Void>> confirms = new ArrayList<>(rides.size());
        ConfirmChannel channel = pool.borrow();
        try {
            for (LiftRide ride : rides) {
                confirms.add(channel.publish(
                        Topology.EXCHANGE,
                        shards.routingKey(shards.of(ride.skierId())),
                        properties(ride),
                        RideJson.toMessage(ride),
                        deadline));
            }
        } finally {
            pool.release(channel);
        }
        // Confirms are settled in order: the last of a call settled (confirmed, refused, or failed with its channel),
        // even after the call timed out, means nothing of it hangs any longer.
        if (!confirms.isEmpty()) {
            confirms.get(confirms.size() - 1).whenComplete((ok, failure) -> confirmsOverdue = false);
        }
        long remaining = deadline - System.nanoTime();
        // A new future even for one confirm: the timeout must not complete the confirm itself, whose in-flight
        // permit stays taken until the broker answers.
        CompletableFuture<Void> all = CompletableFuture.allOf(confirms.toArray(new CompletableFuture<?>[0]));
        return all.orTimeout(Math.max(remaining, 0), TimeUnit.NANOSECONDS)
                .exceptionallyCompose(failure -> CompletableFuture.failedFuture(explain(failure, confirms)));
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static PublishException unwrapped(Throwable failure) {
        Throwable cause = unwrap(failure);
        return cause instanceof PublishException p
                ? p
                : new PublishException.BrokerUnavailable("publish failed: " + BrokerConnection.describe(cause), cause);
    }

    private PublishException explain(Throwable failure, List<CompletableFuture<Void>> confirms) {
        Throwable cause = unwrap(failure);
        if (cause instanceof PublishException publishException) {
            return publishException;
        }
        if (cause instanceof TimeoutException) {
            if (!confirmsOverdue) {
                overdueSince = System.nanoTime();
                confirmsOverdue = true;
            }
            if (confirms.get(confirms.size() - 1).isDone()) {
                confirmsOverdue = false; // settled just now: its hook may have run before the line above
            }
            long unconfirmed = confirms.stream().filter(f -> !f.isDone()).count();
            return new PublishException.ConfirmTimeout("the broker did not confirm " + unconfirmed + " of "
                    + confirms.size() + " messages within " + publishTimeout.toMillis() + " ms");
        }
        return new PublishException.BrokerUnavailable("publish failed: " + cause, cause);
    }

    private static AMQP.BasicProperties properties(LiftRide ride) {
        return Topology.rideProperties(ride.eventId(), ride.receivedAt());
    }

    /**
     * Why this producer cannot get rides confirmed although its connection looks open, or null: a call timed out
     * waiting for confirms that are still outstanding (settled when the broker answers or their channel dies). A
     * link that drops packets looks open until heartbeats give up on it (some 20 s); readiness says so at once, so
     * load balancers send elsewhere.
     */
    public String confirmsOverdueReason() {
        if (!confirmsOverdue) {
            return null;
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - overdueSince);
        return "the broker has confirmed nothing since a publish timed out " + seconds + " s ago (a link dropping "
                + "packets, or a broker too slow to confirm within " + publishTimeout.toMillis() + " ms)";
    }

    /** Calls waiting for a lost connection to come back. */
    public int heldCalls() {
        return heldCalls.get();
    }

    /** Calls started and not yet answered (each waits for its confirms). */
    public int inFlightCalls() {
        return waiting.size();
    }

    /** Refuses new publishes, then waits up to {@code timeout} for those in flight; true when none is left. */
    public boolean drain(Duration timeout) throws InterruptedException {
        stopped = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!waiting.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        retryScheduler.shutdownNow();
        for (Call call : held) {
            if (held.remove(call)) {
                call.fail(new PublishException.BrokerUnavailable("the producer is shutting down", null));
            }
        }
        return waiting.isEmpty();
    }
}
