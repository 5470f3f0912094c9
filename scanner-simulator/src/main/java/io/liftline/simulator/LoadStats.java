package io.liftline.simulator;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
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

    LoadStats(long startNanos) {
        this.startNanos = startNanos;
    }

    void latency(long nanos) {
        requests.increment();
        recorder.recordValue(Math.min(MAX_TRACKED_MICROS, Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos))));
    }

    /** Rides answered 201, counted in the second of the run they were answered in. */
    void ok(int rides, long nowNanos) {
        okRides.add(rides);
        okPerSecond.computeIfAbsent(TimeUnit.NANOSECONDS.toSeconds(nowNanos - startNanos), s -> new LongAdder()).add(rides);
    }

    void failed(int rides) {
        failedRides.add(rides);
    }

    void retried() {
        retries.increment();
    }

    long okCount() {
        return okRides.sum();
    }

    long failedCount() {
        return failedRides.sum();
    }

    /** A 503 answer: the producer could not get the rides stored and asked for a retry. */
    void unavailable() {
        unavailable.increment();
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

    /** Rides answered 201 in each second of the run, from second 0 to the last, gaps as zeros. */
    NavigableMap<Long, Long> throughputPerSecond() {
        NavigableMap<Long, Long> series = new TreeMap<>();
        long last = okPerSecond.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
        for (long s = 0; s <= last; s++) {
            LongAdder n = okPerSecond.get(s);
            series.put(s, n == null ? 0 : n.sum());
        }
        return series;
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

    static double perSecond(long count, long nanos) {
        return nanos <= 0 ? 0 : count / (nanos / 1e9);
    }
}
