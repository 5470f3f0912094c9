package io.liftline.producer.metrics;

import io.liftline.broker.BrokerConnection;
import io.liftline.producer.amqp.ChannelPool;
import io.liftline.producer.amqp.PublishListener;
import io.liftline.producer.amqp.RidePublisher;
import io.liftline.service.ServiceMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The producer's Prometheus metrics: requests (as every service), publishes and their outcomes, the channel pool, the connection. */
public final class ProducerMetrics extends ServiceMetrics implements PublishListener {

    private final Counter published = Counter.builder("liftline.publish.published")
            .description("messages published")
            .register(registry());
    private final Counter confirmed = Counter.builder("liftline.publish.confirmed")
            .description("messages confirmed by the broker")
            .register(registry());
    private final Counter nacked = Counter.builder("liftline.publish.nacked")
            .description("messages refused by the broker")
            .register(registry());
    private final Counter returned = Counter.builder("liftline.publish.returned")
            .description("messages the broker could not route")
            .register(registry());
    private final ConcurrentMap<String, Counter> failures = new ConcurrentHashMap<>();

    /** Gauges of the pool and the connection, once both exist. */
    public void bind(ChannelPool pool, BrokerConnection broker) {
        Gauge.builder("liftline.pool.channels.active", pool, ChannelPool::active)
                .description("channels lent out")
                .register(registry());
        Gauge.builder("liftline.pool.channels.idle", pool, ChannelPool::idle)
                .description("channels idle in the pool")
                .register(registry());
        Gauge.builder("liftline.pool.channels.waiting", pool, ChannelPool::waiting)
                .description("requests waiting for a channel")
                .register(registry());
        Gauge.builder("liftline.broker.connected", broker, b -> b.isConnected() ? 1 : 0)
                .description("1 while connected to the broker")
                .register(registry());
        Gauge.builder("liftline.broker.blocked", broker, b -> b.blockedReason() != null ? 1 : 0)
                .description("1 while the broker blocks publishers")
                .register(registry());
    }

    /** The gauge of the publishes held for a lost connection's recovery, once the publisher exists. */
    public void bind(RidePublisher publisher) {
        Gauge.builder("liftline.publish.held", publisher, RidePublisher::heldCalls)
                .description("requests waiting for the broker connection to come back")
                .register(registry());
    }

    /** A publish that ended in a 503, by reason (timeout, nacked, blocked, unavailable, ...). */
    public void publishFailed(String reason) {
        failures.computeIfAbsent(
                        reason,
                        r -> Counter.builder("liftline.publish.failures")
                                .description("publishes answered 503, by reason")
                                .tag("reason", r)
                                .register(registry()))
                .increment();
    }

    @Override
    public void published() {
        published.increment();
    }

    @Override
    public void confirmed() {
        confirmed.increment();
    }

    @Override
    public void nacked() {
        nacked.increment();
    }

    @Override
    public void returned() {
        returned.increment();
    }
}
