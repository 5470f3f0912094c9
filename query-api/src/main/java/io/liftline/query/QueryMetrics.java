package io.liftline.query;

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

/** The query API's Prometheus metrics: requests by route and status, with latency histograms; the JVM. */
public final class QueryMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentMap<String, ConcurrentMap<Integer, Timer>> requestTimers = new ConcurrentHashMap<>();

    public QueryMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
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

    public String scrape() {
        return registry.scrape();
    }
}
