package io.liftline.consumer.health;

import io.liftline.model.LiftRide;
import io.liftline.service.ServiceMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/** The consumer's Prometheus metrics: rides stored, duplicates, dead letters, batches, store latency and retries. */
public final class ConsumerMetrics extends ServiceMetrics {

    private final Counter stored = counter("liftline.rides.stored", "rides newly written to the store");
    private final Counter duplicates =
            counter("liftline.rides.duplicates", "rides already stored (redeliveries, client retries)");
    private final Counter storeRetries =
            counter("liftline.store.retries", "batch writes retried because the store failed");
    private final DistributionSummary batchSize = DistributionSummary.builder("liftline.batch.size")
            .description("rides per batch write")
            .publishPercentileHistogram()
            .minimumExpectedValue(1.0)
            .maximumExpectedValue(10_000.0)
            .register(registry());
    private final Timer writeLatency = latency("liftline.store.write", "batch write latency", Duration.ofSeconds(10))
            .register(registry());
    private final Timer summaryLatency = latency(
                    "liftline.summaries.write", "time to count a batch into the read model", Duration.ofSeconds(10))
            .register(registry());
    /**
     * Freshness: from the producer's receivedAt (its clock) to the ack after the ride is stored and counted (this
     * worker's). Buckets from 1 ms to 30 min, so that a backlog's hours still fall in one.
     */
    private final Timer lag = latency(
                    "liftline.ride.lag",
                    "from a ride's 201 at the producer (receivedAt) to its acknowledged write",
                    Duration.ofMinutes(30))
            .register(registry());
    /**
     * The same lags as this worker's own p50 and p99 of about the last minute, for scripts/status (Prometheus uses
     * the buckets above; its client publishes no quantiles beside a histogram, hence a meter of their own).
     */
    private final Timer recentLag = Timer.builder("liftline.ride.lag.recent")
            .description("lag p50 and p99 over about the last minute, this worker alone")
            .publishPercentiles(0.5, 0.99)
            .distributionStatisticExpiry(Duration.ofMinutes(1))
            .distributionStatisticBufferLength(3)
            .register(registry());

    private final ConcurrentMap<String, Counter> deadLettered = new ConcurrentHashMap<>();

    public void batchWritten(int size, int inserted, int duplicateCount, long nanos) {
        batchSize.record(size);
        stored.increment(inserted);
        duplicates.increment(duplicateCount);
        writeLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Records each acknowledged ride's lag; a producer clock ahead of this one counts as no lag, not a negative one. */
    public void acknowledged(List<LiftRide> rides, Instant now) {
        for (LiftRide ride : rides) {
            long nanos = Math.max(0, Duration.between(ride.receivedAt(), now).toNanos());
            lag.record(nanos, TimeUnit.NANOSECONDS);
            recentLag.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    public void summariesWritten(long nanos) {
        summaryLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** How many of the process's consumers the broker is delivering to now; fewer than configured: not ready. */
    public void consumersSubscribed(java.util.function.Supplier<Number> subscribed, int configured) {
        io.micrometer.core.instrument.Gauge.builder("liftline.consumers.subscribed", subscribed)
                .description("consumers with a live subscription to lift-rides")
                .register(registry());
        io.micrometer.core.instrument.Gauge.builder("liftline.consumers.configured", () -> configured)
                .description("consumers this worker runs: LIFTLINE_CONSUMERS on each shard it takes")
                .register(registry());
    }

    /** 1 while some rides wait in a ride queue that no worker of this shard count consumes (see ShardCheck). */
    public void shardsMismatch(java.util.function.Supplier<Number> mismatch) {
        io.micrometer.core.instrument.Gauge.builder("liftline.shards.mismatch", mismatch)
                .description("1 while a producer's shard count strands rides these workers do not consume")
                .register(registry());
    }

    public void storeRetried() {
        storeRetries.increment();
    }

    public void deadLettered(String reason) {
        deadLettered
                .computeIfAbsent(
                        reason,
                        r -> counter(
                                "liftline.rides.dead_lettered",
                                "messages sent to lift-rides.dead, by reason",
                                "reason",
                                r))
                .increment();
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
