package io.liftline.simulator;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counts and latencies of a run; safe to record from every scanner thread at once. Requests are HTTP
 * requests (each attempt's latency is recorded); rides are what they carried (one, or a batch).
 */
final class LoadStats {

    private static final long MAX_TRACKED_MICROS = TimeUnit.MINUTES.toMicros(5);

    private final long startNanos;
    private final Recorder recorder = new Recorder(MAX_TRACKED_MICROS, 3);
    private final Histogram total = new Histogram(MAX_TRACKED_MICROS, 3);
    private final LongAdder okRides = new LongAdder();
    private final LongAdder failedRides = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder unavailable = new LongAdder();
    private final Map<Long, LongAdder> okPerSecond = new ConcurrentHashMap<>();
    private final Map<Long, LongAdder> unavailablePerSecond = new ConcurrentHashMap<>();
    private final Map<Long, LongAdder> retriesPerSecond = new ConcurrentHashMap<>();
    /** Each second's latencies; two significant digits keep a long run's seconds small (a few KB each). */
    private final Map<Long, Recorder> latencyPerSecond = new ConcurrentHashMap<>();
    /** What {@link #seconds} has drained from each second's recorder so far. */
    private final Map<Long, Histogram> latencySeconds = new java.util.HashMap<>();

    /** One second of the run: rides answered 201, 503 answers, retries, and latency percentiles (ms). */
    record Second(long second, long ok, long unavailable, long retries, double p50Ms, double p95Ms, double p99Ms) {}

    LoadStats(long startNanos) {
        this.startNanos = startNanos;
    }

    void latency(long nanos) {
        latency(nanos, System.nanoTime());
    }

    /** A request's latency, counted in the second of the run it was answered in. */
    void latency(long nanos, long nowNanos) {
        requests.increment();
        long micros = Math.min(MAX_TRACKED_MICROS, Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos)));
        recorder.recordValue(micros);
        latencyPerSecond
                .computeIfAbsent(second(nowNanos), x -> new Recorder(MAX_TRACKED_MICROS, 2))
                .recordValue(micros);
    }

    private long second(long nowNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toSeconds(nowNanos - startNanos));
    }

    /** Rides answered 201, counted in the second of the run they were answered in. */
    void ok(int rides, long nowNanos) {
        okRides.add(rides);
        okPerSecond.computeIfAbsent(second(nowNanos), s -> new LongAdder()).add(rides);
    }

    void failed(int rides) {
        failedRides.add(rides);
    }

    void retried() {
        retried(System.nanoTime());
    }

    void retried(long nowNanos) {
        retries.increment();
        retriesPerSecond.computeIfAbsent(second(nowNanos), s -> new LongAdder()).increment();
    }

    long okCount() {
        return okRides.sum();
    }

    long failedCount() {
        return failedRides.sum();
    }

    /** A 503 answer: the producer could not get the rides stored and asked for a retry. */
    void unavailable() {
        unavailable(System.nanoTime());
    }

    void unavailable(long nowNanos) {
        unavailable.increment();
        unavailablePerSecond
                .computeIfAbsent(second(nowNanos), s -> new LongAdder())
                .increment();
    }

    long unavailableCount() {
        return unavailable.sum();
    }

    long retryCount() {
        return retries.sum();
    }

    long requestCount() {
        return requests.sum();
    }

    /** Every second of the run from 0 to the last with a recorded event, quiet seconds as zeros. */
    synchronized java.util.List<Second> seconds() {
        long last = -1;
        for (Map<Long, ?> series :
                java.util.List.of(okPerSecond, unavailablePerSecond, retriesPerSecond, latencyPerSecond)) {
            last = Math.max(
                    last,
                    series.keySet().stream().mapToLong(Long::longValue).max().orElse(-1));
        }
        latencyPerSecond.forEach((second, recorder) -> latencySeconds
                .computeIfAbsent(second, x -> new Histogram(MAX_TRACKED_MICROS, 2))
                .add(recorder.getIntervalHistogram()));
        java.util.List<Second> seconds = new java.util.ArrayList<>();
        for (long s = 0; s <= last; s++) {
            Histogram h = latencySeconds.get(s);
            seconds.add(new Second(
                    s,
                    sum(okPerSecond, s),
                    sum(unavailablePerSecond, s),
                    sum(retriesPerSecond, s),
                    ms(h, 50),
                    ms(h, 95),
                    ms(h, 99)));
        }
        return seconds;
    }

    private static long sum(Map<Long, LongAdder> series, long second) {
        LongAdder n = series.get(second);
        return n == null ? 0 : n.sum();
    }

    private static double ms(Histogram h, double percentile) {
        return h == null || h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** All latencies recorded so far (microseconds), merged into the run's histogram. */
    synchronized Histogram histogram() {
        total.add(recorder.getIntervalHistogram());
        return total.copy();
    }

    /** Latencies recorded since the last call (the first call: since the start); they stay in the total too. */
    synchronized Histogram sinceLastCall() {
        Histogram interval = recorder.getIntervalHistogram();
        total.add(interval);
        return interval;
    }
}
