package io.liftline.producer.amqp;

import com.rabbitmq.client.AMQP;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publishes rides durably: persistent, mandatory messages through pooled confirm channels. The returned
 * future completes only when the broker has confirmed every ride of the call, and fails with a
 * {@link PublishException} otherwise, never later than the publish timeout.
 */
public final class RidePublisher {

    private static final Map<String, Object> HEADERS = Map.of(Topology.SCHEMA_VERSION_HEADER, RideJson.SCHEMA_VERSION);

    private final BrokerConnection broker;
    private final ChannelPool pool;
    private final Duration publishTimeout;
    private final AtomicInteger inFlightCalls = new AtomicInteger();
    private volatile boolean stopped;

    public RidePublisher(BrokerConnection broker, ChannelPool pool, Duration publishTimeout) {
        this.broker = broker;
        this.pool = pool;
        this.publishTimeout = publishTimeout;
    }

    /** Publishes the rides; the future completes when all are confirmed. Blocks only to borrow a channel. */
    public CompletableFuture<Void> publish(List<LiftRide> rides) {
        inFlightCalls.incrementAndGet();
        CompletableFuture<Void> result;
        try {
            result = start(rides);
        } catch (PublishException e) {
            result = CompletableFuture.failedFuture(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = CompletableFuture.failedFuture(new PublishException.BrokerUnavailable("interrupted while publishing", e));
        }
        return result.whenComplete((ok, failure) -> inFlightCalls.decrementAndGet());
    }

    private CompletableFuture<Void> start(List<LiftRide> rides) throws PublishException, InterruptedException {
        if (stopped) {
            throw new PublishException.BrokerUnavailable("the producer is shutting down", null);
        }
        String blocked = broker.blockedReason();
        if (blocked != null) {
            throw new PublishException.BrokerBlocked("broker blocked by a resource alarm (" + blocked + ")");
        }
        long startNanos = System.nanoTime();
        long deadline = startNanos + publishTimeout.toNanos();
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

    private PublishException explain(Throwable failure, List<CompletableFuture<Void>> confirms) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
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
        return inFlightCalls.get() == 0;
    }
}
