package io.liftline.service;

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
import java.util.function.ToDoubleFunction;

/**
 * A service's Prometheus registry with what every HTTP service reports: requests by route and status
 * ({@code liftline_http_requests_seconds}), readiness ({@code liftline_ready}) and the JVM.
 */
public class ServiceMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentMap<String, ConcurrentMap<Integer, Timer>> requestTimers = new ConcurrentHashMap<>();

    public ServiceMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /** For the service's own meters. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** A counter in this registry. */
    protected final Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    /** The counter of {@code name} whose {@code tag} is {@code value}: one of a family, such as failures by reason. */
    protected final Counter counter(String name, String description, String tag, String value) {
        return Counter.builder(name).description(description).tag(tag, value).register(registry);
    }

    /** A gauge in this registry of {@code value} of {@code object}, which must be held elsewhere (Micrometer holds it weakly). */
    protected final <T> void gauge(String name, String description, T object, ToDoubleFunction<T> value) {
        Gauge.builder(name, object, value).description(description).register(registry);
    }

    /**
     * A latency timer with a histogram from 1 ms to {@code max}, from which Prometheus computes any quantile across
     * instances; add tags, then register it.
     */
    protected static Timer.Builder latency(String name, String description, Duration max) {
        return Timer.builder(name)
                .description(description)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(max);
    }

    /** One answered request: its route, status and latency. */
    public void request(String route, int status, long nanos) {
        requestTimers
                .computeIfAbsent(route, r -> new ConcurrentHashMap<>())
                .computeIfAbsent(
                        status,
                        s -> latency(
                                        "liftline.http.requests",
                                        "HTTP requests by route and status",
                                        Duration.ofSeconds(10))
                                .tag("route", route)
                                .tag("status", Integer.toString(s))
                                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** {@code liftline_ready}: 1 while {@code /health/ready} would answer 200, so that an alert can see it. */
    public void readiness(Supplier<String> notReadyReason) {
        // strongly held: Micrometer keeps a gauge's object weakly, and a method reference nobody else holds would be
        // collected, leaving the gauge NaN
        Gauge.builder("liftline.ready", notReadyReason, r -> r.get() == null ? 1 : 0)
                .strongReference(true)
                .description("1 while the process does its job (as /health/ready)")
                .register(registry);
    }

    public String scrape() {
        return registry.scrape();
    }
}
