package io.liftline.producer.metrics;

import io.liftline.broker.BrokerConnection;
import io.liftline.producer.amqp.ChannelPool;
import io.liftline.producer.amqp.PublishListener;
import io.liftline.producer.amqp.RidePublisher;
import io.liftline.service.ServiceMetrics;
import io.micrometer.core.instrument.Counter;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The producer's Prometheus metrics: requests (as every service), publishes and their outcomes, the channel pool, the connection. */
public final class ProducerMetrics extends ServiceMetrics implements PublishListener {

    private final Counter published = counter("liftline.publish.published", "messages published");
    private final Counter confirmed = counter("liftline.publish.confirmed", "messages confirmed by the broker");
    private final Counter nacked = counter("liftline.publish.nacked", "messages refused by the broker");
    private final Counter returned = counter("liftline.publish.returned", "messages the broker could not route");
    private final Counter channelsRefused = counter(
            "liftline.publish.channels.refused",
            "channels replaced because the broker nacked their first publish to a queue");
    private final ConcurrentMap<String, Counter> failures = new ConcurrentHashMap<>();

    /** Gauges of the pool and the connection, once both exist. */
    public void bind(ChannelPool pool, BrokerConnection broker) {
        gauge("liftline.pool.channels.active", "channels lent out", pool, ChannelPool::active);
        gauge("liftline.pool.channels.idle", "channels idle in the pool", pool, ChannelPool::idle);
        gauge("liftline.pool.channels.waiting", "requests waiting for a channel", pool, ChannelPool::waiting);
        gauge("liftline.broker.connected", "1 while connected to the broker", broker, b -> b.isConnected() ? 1 : 0);
        gauge(
                "liftline.broker.blocked",
                "1 while the broker blocks publishers",
                broker,
                b -> b.blockedReason() != null ? 1 : 0);
    }

    /** The gauge of the publishes held for a lost connection's recovery, once the publisher exists. */
    public void bind(RidePublisher publisher) {
        gauge(
                "liftline.publish.held",
                "requests waiting for the broker connection to come back",
                publisher,
                RidePublisher::heldCalls);
    }

    /** A publish that ended in a 503, by reason (timeout, nacked, blocked, unavailable, ...). */
    public void publishFailed(String reason) {
        failures.computeIfAbsent(
                        reason,
                        r -> counter("liftline.publish.failures", "publishes answered 503, by reason", "reason", r))
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

    @Override
    public void channelRefused() {
        channelsRefused.increment();
    }
}
