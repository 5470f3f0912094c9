package io.liftline.simulator;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** Counts and latencies of a run; safe to record from every scanner thread at once. */
final class LoadStats {

    private static final long MAX_TRACKED_MICROS = TimeUnit.MINUTES.toMicros(5);

    private final Recorder recorder = new Recorder(MAX_TRACKED_MICROS, 3);
    private final Histogram total = new Histogram(MAX_TRACKED_MICROS, 3);
    private final LongAdder ok = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder retries = new LongAdder();

    void latency(long nanos) {
        recorder.recordValue(Math.min(MAX_TRACKED_MICROS, Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos))));
    }

    void ok() {
        ok.increment();
    }

    void failed() {
        failed.increment();
    }

    void retried() {
        retries.increment();
    }

    long okCount() {
        return ok.sum();
    }

    long failedCount() {
        return failed.sum();
    }

    long retryCount() {
        return retries.sum();
    }

    /** All latencies recorded so far (microseconds), merged into the run's histogram. */
    synchronized Histogram histogram() {
        total.add(recorder.getIntervalHistogram());
        return total.copy();
    }
}
