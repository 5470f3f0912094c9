package io.liftline.producer.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BlockedListener;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.liftline.broker.BrokerConnection;
import io.liftline.broker.Shards;
import io.liftline.broker.Topology;
import io.liftline.model.LiftRide;
import io.liftline.model.RideJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes rides durably: persistent, mandatory messages through pooled confirm channels. The returned
 * future completes only when the broker has confirmed every ride of the call, and fails with a
 * {@link PublishException} otherwise, never later than the publish timeout.
 *
 * <p>When the broker blocks the connection (a memory or disk alarm), every call still waiting fails at once:
 * a blocked broker reads nothing more, so their confirms would only come after the alarm, long past the
 * timeout. Safe, because a retry carries the same event ids.
 */
public final class RidePublisher implements Publisher {

    private static final Map<String, Object> HEADERS = Map.of(Topology.SCHEMA_VERSION_HEADER, RideJson.SCHEMA_VERSION);

    /** A channel that dies under a publish is retried on another, up to three more times, within the same deadline. */
    static final int MAX_ATTEMPTS = 3;
    private static final Duration RETRY_WAIT = Duration.ofMillis(50);

    private final BrokerConnection broker;
    private final Shards shards;
    private final ChannelPool pool;
    private final Duration publishTimeout;
    private final Retry retry;
    /** Runs retries: never the connection's I/O thread, which a borrow or a channel.open RPC would block. */
    private final ScheduledExecutorService retryScheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "publish-retry");
        t.setDaemon(true);
        return t;
    });
    /** The answer of every call not yet answered, so a block can answer them all at once. */
    private final Set<CompletableFuture<Void>> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;
    /** A call timed out with confirms outstanding, and none of them has been settled since (from overdueSince). */
    private volatile boolean confirmsOverdue;
    private volatile long overdueSince;

    public RidePublisher(BrokerConnection broker, ChannelPool pool, Duration publishTimeout) {
        this(broker, pool, publishTimeout, Shards.ONE);
    }

    /** @param shards where a ride goes: the shard of its skier */
    public RidePublisher(BrokerConnection broker, ChannelPool pool, Duration publishTimeout, Shards shards) {
        this.shards = shards;
        this.broker = broker;
        this.pool = pool;
        this.publishTimeout = publishTimeout;
        // Safe to retry: the rides keep their event ids, so a message that did reach the queue before its channel
        // died is stored once anyway. Only channel closure is retried: a nack, a return, a block or a timeout
        // would meet the same answer again, and the scanner is better served by a prompt 503.
        this.retry = Retry.of("publish", RetryConfig.custom()
                .maxAttempts(MAX_ATTEMPTS)
                .waitDuration(RETRY_WAIT)
                .retryOnException(e -> unwrap(e) instanceof PublishException.ChannelClosed)
                .build());
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
        // The retry machinery engages only after a first attempt lost its channel: the fast path stays lean. That
        // failure arrives on the connection's I/O thread, so the retry is handed to a thread of its own.
        attempt(rides, deadline).exceptionallyCompose(failure ->
                        unwrap(failure) instanceof PublishException.ChannelClosed && !answer.isDone()
                                ? CompletableFuture.supplyAsync(() -> Retry.decorateCompletionStage(retry, retryScheduler,
                                        () -> attempt(rides, deadline)).get(), retryScheduler).thenCompose(retried -> retried)
                                : CompletableFuture.failedFuture(failure))
                .whenComplete((ok, failure) -> {
                    if (failure == null) {
                        answer.complete(null);
                    } else {
                        answer.completeExceptionally(unwrap(failure));
                    }
                });
        return answer;
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
                throw new PublishException.ConfirmTimeout("no time left within " + publishTimeout.toMillis() + " ms to publish");
            }
            return start(rides, deadline);
        } catch (PublishException e) {
            return CompletableFuture.failedFuture(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new PublishException.BrokerUnavailable("interrupted while publishing", e));
        }
    }

    private CompletableFuture<Void> start(List<LiftRide> rides, long deadline) throws PublishException, InterruptedException {
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
                confirms.add(channel.publish(Topology.EXCHANGE, shards.routingKey(shards.of(ride.skierId())), properties(ride),
                        RideJson.toMessage(ride), deadline));
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
        return new AMQP.BasicProperties.Builder()
                .contentType(Topology.CONTENT_TYPE)
                .deliveryMode(2)
                .messageId(ride.eventId())
                .timestamp(Date.from(ride.receivedAt()))
                .headers(HEADERS)
                .build();
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
        return waiting.isEmpty();
    }
}
