package io.liftline.service.edge;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Units per second per client (rides on the ingest API, requests on the read API), each client a token bucket
 * (Bucket4j) holding up to {@code burst} and refilled continuously at the rate. A bucket left alone until it is full
 * again is the same as a new one, so idle clients are dropped: an open service, limited per address, keeps no
 * state per passer-by.
 */
public final class RateLimits {

    private static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private record Limit(Bucket bucket, long[] lastUsed) {}

    private final double ridesPerSecond;
    private final int burst;
    private final long refillNanos;
    private final ConcurrentHashMap<String, Limit> clients = new ConcurrentHashMap<>();
    private volatile long nextSweep = System.nanoTime() + SWEEP_INTERVAL_NANOS;

    public RateLimits(double ridesPerSecond, int burst) {
        this.ridesPerSecond = ridesPerSecond;
        this.burst = burst;
        this.refillNanos = (long) Math.ceil(burst / ridesPerSecond * 1e9);
    }

    /** Units per second. */
    public double rate() {
        return ridesPerSecond;
    }

    public int burst() {
        return burst;
    }

    /**
     * 0 when the client may send a ride now, else the whole seconds until it may: a request refused before its
     * body is read costs the producer no parsing.
     */
    public long secondsUntilOneRide(String client) {
        Limit limit = clients.get(client);
        if (limit == null) {
            return 0;
        }
        EstimationProbe probe = limit.bucket().estimateAbilityToConsume(1);
        return probe.canBeConsumed() ? 0 : seconds(probe.getNanosToWaitForRefill());
    }

    private static long seconds(long nanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanos + 999_999_999));
    }

    /**
     * Takes {@code rides} from the client's allowance: 0 when they may go, else the whole seconds until they
     * could (at least 1, for {@code Retry-After}). Nothing is taken from a refused request.
     */
    public long take(String client, int rides) {
        long now = System.nanoTime();
        sweepIfDue(now);
        Limit limit = clients.computeIfAbsent(client, c -> new Limit(newBucket(), new long[1]));
        limit.lastUsed()[0] = now; // racy by design: a sweep that misses one update only resets a full bucket
        ConsumptionProbe probe = limit.bucket().tryConsumeAndReturnRemaining(rides);
        return probe.isConsumed() ? 0 : seconds(probe.getNanosToWaitForRefill());
    }

    private Bucket newBucket() {
        // Refill expressed per 1,000 s keeps fractional rates (0.5 rides/s) exact; greedy refill is continuous.
        long perThousandSeconds = Math.max(1, Math.round(ridesPerSecond * 1000));
        return Bucket.builder()
                .addLimit(l -> l.capacity(burst).refillGreedy(perThousandSeconds, Duration.ofSeconds(1000)))
                .build();
    }

    private void sweepIfDue(long now) {
        if (now - nextSweep < 0) {
            return;
        }
        nextSweep = now + SWEEP_INTERVAL_NANOS;
        clients.values().removeIf(limit -> now - limit.lastUsed()[0] > refillNanos);
    }

    /** Clients with state right now (for tests and metrics). */
    int trackedClients() {
        return clients.size();
    }
}
