package io.liftline.consumer.health;

import io.liftline.service.ServiceMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/** The consumer's Prometheus metrics: rides stored, duplicates, dead letters, batches, store latency and retries. */
public final class ConsumerMetrics extends ServiceMetrics {

    private final Counter stored = Counter.builder("liftline.rides.stored").description("rides newly written to the store").register(registry());
    private final Counter duplicates = Counter.builder("liftline.rides.duplicates").description("rides already stored (redeliveries, client retries)").register(registry());
    private final Counter storeRetries = Counter.builder("liftline.store.retries").description("batch writes retried because the store failed").register(registry());
    private final DistributionSummary batchSize = DistributionSummary.builder("liftline.batch.size").description("rides per batch write")
            .publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(10_000.0).register(registry());
    private final Timer writeLatency = Timer.builder("liftline.store.write").description("batch write latency")
            .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry());
    private final Timer summaryLatency = Timer.builder("liftline.summaries.write").description("time to count a batch into the read model")
            .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry());
    private final ConcurrentMap<String, Counter> deadLettered = new ConcurrentHashMap<>();

    public void batchWritten(int size, int inserted, int duplicateCount, long nanos) {
        batchSize.record(size);
        stored.increment(inserted);
        duplicates.increment(duplicateCount);
        writeLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void summariesWritten(long nanos) {
        summaryLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** How many of the process's consumers the broker is delivering to now; fewer than configured: not ready. */
    public void consumersSubscribed(java.util.function.Supplier<Number> subscribed) {
        io.micrometer.core.instrument.Gauge.builder("liftline.consumers.subscribed", subscribed)
                .description("consumers with a live subscription to lift-rides").register(registry());
    }

    public void storeRetried() {
        storeRetries.increment();
    }

    public void deadLettered(String reason) {
        deadLettered.computeIfAbsent(reason, r -> Counter.builder("liftline.rides.dead_lettered")
                .description("messages sent to lift-rides.dead, by reason").tag("reason", r).register(registry())).increment();
    }

    public double storedCount() {
        return stored.count();
    }

    public double storeRetryCount() {
        return storeRetries.count();
    }

    public double duplicateCount() {
        return duplicates.count();
    }

}
