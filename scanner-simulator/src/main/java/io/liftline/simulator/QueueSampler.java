package io.liftline.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.liftline.management.ManagementClient;
import io.liftline.management.ManagementException;
import io.liftline.management.PrometheusText;
import io.liftline.runtime.Secrets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the ride queues once a second from RabbitMQ's management API during a run: messages ready and unacked,
 * and consumers, summed over {@code lift-rides} and its shards, in the vhost the URI's path names ({@code /} when
 * it names none); and, given the workers' admin ports, their freshness (the largest of their lag p50s and p99s of
 * the last minute, {@code liftline_ride_lag_recent_seconds}). The report draws them beside the load, so a backlog,
 * a lost consumer or stale rides show where they happened.
 */
final class QueueSampler implements AutoCloseable {

    /** One sample, at a second of the run; the lags in seconds, NaN when no worker told. */
    record Sample(double second, long ready, long unacked, long consumers, double lagP50, double lagP99) {}

    private static final Logger log = LoggerFactory.getLogger(QueueSampler.class);
    private static final Pattern RIDE_QUEUE = Pattern.compile("lift-rides(\\.[0-9]+)?");

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ManagementClient management; // null: no queue sampled
    private final long startNanos;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile String lastProblem;

    private final List<URI> workers;

    /** @param managementUri null: no queue sampled, only the workers */
    QueueSampler(String managementUri, List<URI> workers, long startNanos) {
        this.workers = workers;
        if (managementUri == null) {
            this.management = null;
        } else {
            this.management = ManagementClient.of(URI.create(managementUri), Duration.ofSeconds(2));
            log.info("sampling the ride queues from {}", Secrets.maskUri(managementUri));
        }
        if (!workers.isEmpty()) {
            log.info("sampling freshness from {} workers", workers.size());
        }
        this.startNanos = startNanos;
        this.thread = new Thread(this::run, "queue-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long next = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            sample();
            next += TimeUnit.SECONDS.toNanos(1);
            long wait = next - System.nanoTime();
            try {
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        try {
            long[] queue = management == null ? new long[] {-1, -1, -1} : queue();
            double[] lag = lag();
            if (queue[0] < 0 && Double.isNaN(lag[1]) && management != null) {
                return; // neither answered this second
            }
            double second = (System.nanoTime() - startNanos) / 1e9;
            synchronized (samples) {
                samples.add(new Sample(second, queue[0], queue[1], queue[2], lag[0], lag[1]));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ready, unacked and consumers over the ride queues; -1 each when the management API does not answer. */
    private long[] queue() {
        try {
            long ready = 0;
            long unacked = 0;
            long consumers = 0;
            for (JsonNode queue : management.queues(
                    management.vhost(), "name", "messages_ready", "messages_unacknowledged", "consumers")) {
                if (RIDE_QUEUE.matcher(queue.path("name").asText()).matches()) {
                    ready += queue.path("messages_ready").asLong();
                    unacked += queue.path("messages_unacknowledged").asLong();
                    consumers += queue.path("consumers").asLong();
                }
            }
            return new long[] {ready, unacked, consumers};
        } catch (ManagementException e) {
            problem(e.getMessage());
            return new long[] {-1, -1, -1};
        }
    }

    /** The largest p50 and p99 the workers report now; NaN where none does. */
    private double[] lag() throws InterruptedException {
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        for (URI worker : workers) {
            try {
                String metrics = http.send(
                                HttpRequest.newBuilder(worker.resolve("/metrics"))
                                        .timeout(Duration.ofSeconds(2))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                p50 = max(p50, PrometheusText.value(metrics, "liftline_ride_lag_recent_seconds{quantile=\"0.5\"}"));
                p99 = max(p99, PrometheusText.value(metrics, "liftline_ride_lag_recent_seconds{quantile=\"0.99\"}"));
            } catch (java.io.IOException e) {
                problem("worker " + worker + ": " + e);
            }
        }
        return new double[] {p50, p99};
    }

    private static double max(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
    }

    private void problem(String problem) {
        if (lastProblem == null) { // one line, not one a second
            log.warn("cannot sample the ride queues: {}", problem);
        }
        lastProblem = problem;
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(5_000);
    }
}
