package io.liftline.producer.amqp;

import com.rabbitmq.client.AMQP;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.liftline.broker.BrokerConnection;
import io.liftline.broker.Topology;
import io.liftline.model.LiftRide;
import io.liftline.model.RideJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publishes rides durably: persistent, mandatory messages through pooled confirm channels. The returned
 * future completes only when the broker has confirmed every ride of the call, and fails with a
 * {@link PublishException} otherwise, never later than the publish timeout.
 */
public final class RidePublisher implements Publisher {

    private static final Map<String, Object> HEADERS = Map.of(Topology.SCHEMA_VERSION_HEADER, RideJson.SCHEMA_VERSION);

    /** A channel that dies under a publish is retried on another, up to three more times, within the same deadline. */
    static final int MAX_ATTEMPTS = 3;
    private static final Duration RETRY_WAIT = Duration.ofMillis(50);

    private final BrokerConnection broker;
    private final ChannelPool pool;
    private final Duration publishTimeout;
    private final Retry retry;
    private final ScheduledExecutorService retryScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "publish-retry");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger inFlightCalls = new AtomicInteger();
    private volatile boolean stopped;

    public RidePublisher(BrokerConnection broker, ChannelPool pool, Duration publishTimeout) {
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
    }

    /** Publishes the rides; the future completes when all are confirmed. Blocks only to borrow a channel. */
    @Override
    public CompletableFuture<Void> publish(List<LiftRide> rides) {
        inFlightCalls.incrementAndGet();
        long deadline = System.nanoTime() + publishTimeout.toNanos();
        // The retry machinery engages only after a first attempt lost its channel: the fast path stays lean.
        CompletableFuture<Void> result = attempt(rides, deadline).exceptionallyCompose(failure ->
                unwrap(failure) instanceof PublishException.ChannelClosed
                        ? Retry.decorateCompletionStage(retry, retryScheduler, () -> attempt(rides, deadline)).get()
                        : CompletableFuture.failedFuture(failure));
        return result.whenComplete((ok, failure) -> inFlightCalls.decrementAndGet());
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
            throw new PublishException.BrokerBlocked("broker blocked by a resource alarm (" + blocked + ")");
        }
        List<CompletableFuture<Void>> confirms = new ArrayList<>(rides.size());
        ConfirmChannel channel = pool.borrow();
        try {
            for (LiftRide ride : rides) {
                confirms.add(channel.publish(Topology.EXCHANGE, Topology.ROUTING_KEY, properties(ride),
                        RideJson.toMessage(ride), deadline));
            }
        } finally {
            pool.release(channel);
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

    /** Calls started and not yet answered (each waits for its confirms). */
    public int inFlightCalls() {
        return inFlightCalls.get();
    }

    /** Refuses new publishes, then waits up to {@code timeout} for those in flight; true when none is left. */
    public boolean drain(Duration timeout) throws InterruptedException {
        stopped = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlightCalls.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        retryScheduler.shutdownNow();
        return inFlightCalls.get() == 0;
    }
}
