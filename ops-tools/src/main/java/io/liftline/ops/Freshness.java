package io.liftline.ops;

import io.liftline.management.PrometheusText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** How fresh the stored rides are: each worker's lag from a ride's 201 to its stored, acknowledged write. */
final class Freshness {

    /** The worker's own lag percentiles of about the last minute (the histogram is for Prometheus). */
    private static final String RECENT = "liftline_ride_lag_recent_seconds";

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final List<URI> workers;

    /** @param workers the workers' admin base URIs, e.g. {@code http://127.0.0.1:9091} */
    Freshness(List<URI> workers) {
        this.workers = workers;
    }

    /** One row per worker: its lag p50 and p99 over about the last minute, and its largest in that time. */
    Table snapshot() throws InterruptedException {
        Table table = new Table("worker", "lag p50 s", "lag p99 s", "lag max s", "rides stored");
        for (URI worker : workers) {
            String metrics;
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(worker.resolve("/metrics"))
                                .timeout(Duration.ofSeconds(5))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IOException("answered " + response.statusCode());
                }
                metrics = response.body();
            } catch (IOException e) {
                table.add(worker.getAuthority(), "unreachable", "-", "-", "-");
                continue;
            }
            table.add(
                    worker.getAuthority(),
                    value(metrics, RECENT + "{quantile=\"0.5\"}"),
                    value(metrics, RECENT + "{quantile=\"0.99\"}"),
                    value(metrics, RECENT + "_max"),
                    value(metrics, "liftline_rides_stored_total"));
        }
        return table;
    }

    /** The value of a sample in Prometheus text, rounded to milliseconds; "-" when the worker has none yet. */
    static Object value(String metrics, String sample) {
        double v = PrometheusText.value(metrics, sample);
        return Double.isNaN(v) ? "-" : Math.round(v * 1000) / 1000.0;
    }
}
