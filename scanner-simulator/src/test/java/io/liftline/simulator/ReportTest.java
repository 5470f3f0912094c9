package io.liftline.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.liftline.model.RideJson;
import io.liftline.runtime.Values;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static final long START = 1_000_000_000L;

    private static SimulatorConfig config() {
        return SimulatorConfig.of(Values.defaults()
                .set(SimulatorConfig.URL, "http://127.0.0.1:8080")
                .set(SimulatorConfig.EVENTS, 100)
                .set(SimulatorConfig.MODE, "upic")
                .set(SimulatorConfig.BATCH_SIZE, 100)
                .set(SimulatorConfig.PHASE1_THREADS, 32)
                .set(SimulatorConfig.PHASE1_PER_THREAD, 1000)
                .set(SimulatorConfig.THREADS, 64)
                .set(SimulatorConfig.MAX_RETRIES, 5)
                .set(SimulatorConfig.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                .set(SimulatorConfig.RUN_ID, "run<&>")
                .set(SimulatorConfig.VERIFY, false)
                .set(SimulatorConfig.MONGODB_URI, "mongodb://x")
                .set(SimulatorConfig.MONGODB_DATABASE, "liftline")
                .set(SimulatorConfig.VERIFY_TIMEOUT, Duration.ofMinutes(1))
                .set(SimulatorConfig.PROGRESS, false));
    }

    @Test
    void percentilesOfKnownLatencies() {
        LoadStats stats = new LoadStats(START);
        for (int ms = 1; ms <= 100; ms++) {
            stats.latency(TimeUnit.MILLISECONDS.toNanos(ms));
        }
        Report report = new Report(stats, TimeUnit.SECONDS.toNanos(10));
        assertThat(report.percentileMs(50)).isCloseTo(50, within(0.1));
        assertThat(report.percentileMs(95)).isCloseTo(95, within(0.1));
        assertThat(report.percentileMs(99)).isCloseTo(99, within(0.1));
        assertThat(report.maxMs()).isCloseTo(100, within(0.1));
        assertThat(report.meanMs()).isCloseTo(50.5, within(0.1));
        assertThat(stats.requestCount()).isEqualTo(100);
    }

    @Test
    void throughputIsRidesAnswered201PerSecondOfWallTime() {
        LoadStats stats = new LoadStats(START);
        stats.ok(1, START + TimeUnit.MILLISECONDS.toNanos(100));
        stats.ok(100, START + TimeUnit.MILLISECONDS.toNanos(2_500)); // a batch counts all its rides
        stats.failed(7);
        Report report = new Report(stats, TimeUnit.SECONDS.toNanos(4));
        assertThat(stats.okCount()).isEqualTo(101);
        assertThat(stats.failedCount()).isEqualTo(7);
        assertThat(report.throughput()).isCloseTo(101 / 4.0, within(0.001));
        assertThat(stats.seconds())
                .extracting(LoadStats.Second::second, LoadStats.Second::ok)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(0L, 1L),
                        org.assertj.core.groups.Tuple.tuple(1L, 0L),
                        org.assertj.core.groups.Tuple.tuple(2L, 100L));
    }

    @Test
    void retriesAreCountedApartFromRequestsAndOutcomes() {
        LoadStats stats = new LoadStats(START);
        // One ride: a 503, a network error, then a 201: three requests, two retries, one ok.
        stats.latency(1_000_000);
        stats.retried();
        stats.latency(1_000_000);
        stats.retried();
        stats.latency(1_000_000);
        stats.ok(1, START);
        assertThat(stats.requestCount()).isEqualTo(3);
        assertThat(stats.retryCount()).isEqualTo(2);
        assertThat(stats.okCount()).isEqualTo(1);
        assertThat(new Report(stats, 1_000_000_000L).text())
                .startsWith("1 rides ok, 0 failed, 2 retries, 3 requests in 1.0 s");
    }

    @Test
    void anEmptyRunReportsZerosNotErrors() {
        Report report = new Report(new LoadStats(START), 0);
        assertThat(report.throughput()).isZero();
        assertThat(report.percentileMs(99)).isZero();
        assertThat(report.html(config(), null)).contains("<svg id=\"throughput\"");
    }

    @Test
    void theHtmlReportIsSelfContainedAndEscaped() {
        LoadStats stats = new LoadStats(START);
        stats.latency(TimeUnit.MILLISECONDS.toNanos(12));
        stats.ok(1, START);
        String html = new Report(stats, TimeUnit.SECONDS.toNanos(1))
                .html(config(), "verified: 1 accepted, 1 stored, 0 missing, 0 duplicate");
        assertThat(html).contains("run&lt;&amp;&gt;").doesNotContain("run<&>");
        assertThat(html).doesNotContain("http://cdn", "https://", "<script src", "<link");
        assertThat(html).contains("<svg id=\"latency\"", "verified: 1 accepted");
    }

    @Test
    void batchRequestsCarryConsecutiveIdsAndValidRides() throws Exception {
        RunRides run = new RunRides("r");
        Simulator.Request request = Simulator.batch(run, "r", 10, 3);
        assertThat(request.path()).isEqualTo("/rides");
        assertThat(request.eventIds()).containsExactly("r-10", "r-11", "r-12");
        JsonNode rides = RideJson.MAPPER.readTree(request.body());
        assertThat(rides).hasSize(3);
        assertThat(rides.get(2).path("eventId").asText()).isEqualTo("r-12");
        assertThat(rides.get(0).path("skierID").asInt()).isEqualTo(run.ride(10).skierId());
        assertThat(rides.get(2).path("liftID").asInt()).isEqualTo(run.ride(12).liftId());
    }

    @Test
    void unkeyedBatchesCarryNoEventIds() throws Exception {
        Simulator.Request request = Simulator.batch(new RunRides("r"), null, 0, 2);
        assertThat(request.eventIds()).isNull();
        assertThat(RideJson.MAPPER.readTree(request.body()).get(0).has("eventId"))
                .isFalse();
    }

    @Test
    void singleRequestsUseTheUpicPathAndRanges() throws Exception {
        Simulator.Request request = Simulator.single(new RunRides("r"), "r-1", 1);
        assertThat(request.path()).matches("/skiers/([1-9]|10)/seasons/2025/days/1/skiers/\\d+");
        JsonNode body = RideJson.MAPPER.readTree(request.body());
        assertThat(body.path("time").asInt()).isBetween(1, 360);
        assertThat(body.path("liftID").asInt()).isBetween(1, 40);
    }

    @Test
    void theTimelineHoldsEachSecondsOutcomesAndLatencies() {
        LoadStats stats = new LoadStats(START);
        stats.latency(TimeUnit.MILLISECONDS.toNanos(10), START + TimeUnit.MILLISECONDS.toNanos(500));
        stats.ok(1, START + TimeUnit.MILLISECONDS.toNanos(500));
        stats.latency(TimeUnit.MILLISECONDS.toNanos(200), START + TimeUnit.MILLISECONDS.toNanos(1_200));
        stats.unavailable(START + TimeUnit.MILLISECONDS.toNanos(1_200));
        stats.retried(START + TimeUnit.MILLISECONDS.toNanos(1_300));
        stats.ok(3, START + TimeUnit.MILLISECONDS.toNanos(3_100));
        java.util.List<LoadStats.Second> seconds = stats.seconds();
        assertThat(seconds).hasSize(4);
        assertThat(seconds.get(0))
                .extracting(LoadStats.Second::ok, LoadStats.Second::unavailable, LoadStats.Second::retries)
                .containsExactly(1L, 0L, 0L);
        assertThat(seconds.get(0).p50Ms()).isCloseTo(10, within(0.5));
        assertThat(seconds.get(1))
                .extracting(LoadStats.Second::ok, LoadStats.Second::unavailable, LoadStats.Second::retries)
                .containsExactly(0L, 1L, 1L);
        assertThat(seconds.get(1).p99Ms()).isCloseTo(200, within(5.0));
        assertThat(seconds.get(2).p99Ms()).as("a quiet second").isZero();
        assertThat(seconds.get(3).ok()).isEqualTo(3);
        assertThat(stats.seconds()).as("reading twice gives the same").isEqualTo(seconds);
    }

    @Test
    void axesGetRoundTicks() {
        assertThat(Report.niceStep(17)).isEqualTo(5);
        assertThat(Report.niceStep(1234)).isEqualTo(500);
        assertThat(Report.niceStep(9)).isEqualTo(2);
        assertThat(Report.niceStep(0.9)).isCloseTo(0.2, within(1e-9));
        String chart = Report.timeChart(
                "c",
                "rides/s",
                60,
                java.util.List.of(new Report.Series(
                        "ok",
                        "#000",
                        java.util.List.of(new double[] {0, 0}, new double[] {30, 1234}, new double[] {60, 900}))));
        assertThat(chart).contains(">rides/s</text>", "time since the start (s)", "data-name=\"ok\"");
        assertThat(labels(chart, "ytick")).containsExactly("0", "500", "1000", "1500");
        assertThat(labels(chart, "xtick")).containsExactly("0", "20", "40", "60");
    }

    @Test
    void withoutQueueSamplesTheReportSaysSo() {
        LoadStats stats = new LoadStats(START);
        stats.ok(1, START);
        assertThat(new Report(stats, TimeUnit.SECONDS.toNanos(1)).html(config(), null))
                .contains("id=\"queue-absent\"")
                .doesNotContain("<svg id=\"queue-depth\"");
        String sampled = new Report(
                        stats,
                        TimeUnit.SECONDS.toNanos(1),
                        java.util.List.of(
                                new QueueSampler.Sample(0.5, 120, 40, 2, Double.NaN, Double.NaN),
                                new QueueSampler.Sample(1.5, 0, 0, 0, Double.NaN, Double.NaN)))
                .html(config(), null);
        assertThat(sampled)
                .contains(
                        "<svg id=\"queue-depth\"",
                        "<svg id=\"consumers\"",
                        "data-name=\"unacked\"",
                        "id=\"lag-absent\"")
                .doesNotContain("queue-absent", "<svg id=\"lag\"");
    }

    @Test
    void freshnessSampledFromTheWorkersIsPlottedBesideTheQueue() {
        LoadStats stats = new LoadStats(START);
        stats.ok(1, START);
        String sampled = new Report(
                        stats,
                        TimeUnit.SECONDS.toNanos(3),
                        java.util.List.of(
                                new QueueSampler.Sample(0.5, 10, 0, 2, 0.05, 0.2),
                                new QueueSampler.Sample(1.5, 900, 0, 2, 4.0, 12.5),
                                new QueueSampler.Sample(2.5, -1, -1, -1, 3.0, 11.0)))
                .html(config(), null);
        assertThat(sampled)
                .contains(
                        "<svg id=\"lag\"", "data-name=\"lag p50\"", "data-name=\"lag p99\"", "<svg id=\"queue-depth\"")
                .doesNotContain("lag-absent");
    }

    /** The texts of a chart's elements of {@code cssClass} ({@code ytick}: the y axis's labels), in order. */
    private static List<String> labels(String chart, String cssClass) {
        return Pattern.compile("class=\"" + cssClass + "\"[^>]*>([^<]+)<")
                .matcher(chart)
                .results()
                .map(m -> m.group(1))
                .toList();
    }
}
