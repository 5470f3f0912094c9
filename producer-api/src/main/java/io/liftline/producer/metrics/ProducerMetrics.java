package io.liftline.producer.metrics;

import io.liftline.broker.BrokerConnection;
import io.liftline.producer.amqp.ChannelPool;
import io.liftline.producer.amqp.PublishListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The producer's Prometheus metrics: requests, publishes and their outcomes, the channel pool, the connection. */
public final class ProducerMetrics implements PublishListener {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter published = Counter.builder("liftline.publish.published").description("messages published").register(registry);
    private final Counter confirmed = Counter.builder("liftline.publish.confirmed").description("messages confirmed by the broker").register(registry);
    private final Counter nacked = Counter.builder("liftline.publish.nacked").description("messages refused by the broker").register(registry);
    private final Counter returned = Counter.builder("liftline.publish.returned").description("messages the broker could not route").register(registry);
    private final ConcurrentMap<String, Counter> failures = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, ConcurrentMap<Integer, Timer>> requestTimers = new ConcurrentHashMap<>();

    public ProducerMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /** Gauges of the pool and the connection, once both exist. */
    public void bind(ChannelPool pool, BrokerConnection broker) {
        Gauge.builder("liftline.pool.channels.active", pool, ChannelPool::active).description("channels lent out").register(registry);
        Gauge.builder("liftline.pool.channels.idle", pool, ChannelPool::idle).description("channels idle in the pool").register(registry);
        Gauge.builder("liftline.pool.channels.waiting", pool, ChannelPool::waiting).description("requests waiting for a channel").register(registry);
        Gauge.builder("liftline.broker.connected", broker, b -> b.isConnected() ? 1 : 0).description("1 while connected to the broker").register(registry);
        Gauge.builder("liftline.broker.blocked", broker, b -> b.blockedReason() != null ? 1 : 0).description("1 while the broker blocks publishers").register(registry);
    }

    /** {@code liftline_ready}: 1 while {@code /health/ready} would answer 200, so that an alert can see it. */
    public void readiness(Supplier<String> notReadyReason) {
        Gauge.builder("liftline.ready", notReadyReason, r -> r.get() == null ? 1 : 0)
                .description("1 while the process does its job (as /health/ready)").register(registry);
    }

    /** One answered request: its route, status and latency. */
    public void request(String route, int status, long nanos) {
        requestTimers.computeIfAbsent(route, r -> new ConcurrentHashMap<>())
                .computeIfAbsent(status, s -> Timer.builder("liftline.http.requests")
                        .description("HTTP requests by route and status")
                        .tag("route", route).tag("status", Integer.toString(s))
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A publish that ended in a 503, by reason (timeout, nacked, blocked, unavailable, ...). */
    public void publishFailed(String reason) {
        failures.computeIfAbsent(reason, r -> Counter.builder("liftline.publish.failures")
                .description("publishes answered 503, by reason").tag("reason", r).register(registry)).increment();
    }

    public String scrape() {
        return registry.scrape();
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
