package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.producer.config.ProducerConfig;
import io.liftline.simulator.SimulatorConfig;
import io.liftline.simulator.SimulatorMain;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.RepositoryFiles;
import io.liftline.testing.TcpProxy;
import io.liftline.testing.TestBroker;
import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The scanner simulator against the whole pipeline: load, verification, a broker outage, the HTML report. */
class SimulatorIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    private static TcpProxy proxy;
    private static TestPipeline pipeline;

    @BeforeAll
    static void startPipeline() throws Exception {
        proxy = backends.rabbit().proxy(); // the producer reaches the broker through it, so a test can cut it off
        pipeline = TestPipeline.start(
                backends.rabbit().amqpUri(),
                backends.mongo(),
                p -> p.set(ProducerConfig.AMQP_URI, backends.rabbit().amqpUriThrough(proxy))
                        .set(ProducerConfig.PUBLISH_TIMEOUT, Duration.ofSeconds(2)),
                c -> c);
    }

    @AfterAll
    static void stopPipeline() throws Exception {
        if (pipeline != null) {
            pipeline.close();
        }
        proxy.close();
    }

    private static SimulatorConfig run(String runId, int events, String mode, Path html) {
        return run(runId, events, mode, html, true);
    }

    private static SimulatorConfig run(String runId, int events, String mode, Path html, boolean keyed) {
        return SimulatorConfig.of(SimulatorRuns.verified(
                        "http://127.0.0.1:" + pipeline.port(),
                        events,
                        runId,
                        backends.mongo().uri(),
                        backends.mongo().databaseName())
                .set(SimulatorConfig.MODE, mode)
                .set(SimulatorConfig.BATCH_SIZE, 50)
                .set(SimulatorConfig.PHASE1_THREADS, 8)
                .set(SimulatorConfig.PHASE1_PER_THREAD, 250)
                .set(SimulatorConfig.THREADS, 16)
                .set(SimulatorConfig.MAX_RETRIES, 5)
                .set(SimulatorConfig.HTML, html == null ? null : html.toString())
                .set(SimulatorConfig.NO_IDEMPOTENCY_KEYS, !keyed)
                .set(SimulatorConfig.MANAGEMENT_URI, html == null ? null : managementUri()));
    }

    /** The test broker's management API, the path naming this class's vhost: what the report samples. */
    private static String managementUri() {
        TestBroker.Endpoint broker = TestBroker.endpoint();
        URI api = broker.managementUri();
        return api.getScheme() + "://" + broker.username() + ":" + broker.password() + "@" + api.getHost() + ":"
                + api.getPort() + "/" + URLEncoder.encode(backends.rabbit().vhost(), StandardCharsets.UTF_8);
    }

    @Test
    void fiveThousandUpicRidesAreAllAcceptedAndVerifiedStoredOnce() throws Exception {
        assertThat(SimulatorMain.run(run("sim-upic", 5_000, "upic", null))).isZero();
        assertThat(backends.mongo()
                        .database()
                        .getCollection("rides")
                        .countDocuments(com.mongodb.client.model.Filters.regex("_id", "^sim-upic-")))
                .isEqualTo(5_000);
    }

    @Test
    void aRunWithoutIdempotencyKeysIsVerifiedByContent() throws Exception {
        assertThat(SimulatorMain.run(run("sim-unkeyed", 1_000, "upic", null, false)))
                .isZero();
        assertThat(SimulatorMain.run(run("sim-unkeyed-batch", 1_000, "batch", null, false)))
                .isZero();
    }

    @Test
    void batchModeIsVerifiedToo() throws Exception {
        assertThat(SimulatorMain.run(run("sim-batch", 2_000, "batch", null))).isZero();
    }

    @Test
    void aBrokerOutageMidRunIsRetriedAndTheReportTellsTheTruth() throws Exception {
        Path html = Files.createTempDirectory("liftline-report").resolve("report.html");
        Thread outage = new Thread(() -> {
            try {
                Thread.sleep(1_500);
                proxy.cut();
                Thread.sleep(3_000);
                proxy.restore();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        outage.start();
        int exit = SimulatorMain.run(run("sim-outage", 6_000, "upic", html));
        outage.join();

        String report = renderedByChromium(html);
        long ok = figure(report, "rides ok \\(201\\)");
        long failed = figure(report, "rides failed");
        long retries = figure(report, "retries");
        assertThat(retries).as("the outage was retried").isPositive();
        assertThat(ok + failed).as("every ride accounted for").isEqualTo(6_000);
        assertThat(exit).as("exit code matches the failures").isEqualTo(failed == 0 ? 0 : 1);
        assertThat(report).contains("verified: " + ok + " accepted").contains(" 0 missing, 0 altered, 0 duplicate");
        assertThat(report)
                .contains("<svg id=\"throughput\"", "<polyline", "<svg id=\"latency\"", "<rect class=\"bar\"");
        assertThat(report)
                .as("latency percentiles, 503s and retries over time")
                .contains(
                        "<svg id=\"latency-over-time\"",
                        "data-name=\"p50\"",
                        "data-name=\"p99\"",
                        "<svg id=\"unavailable\"",
                        "data-name=\"503 answers\"",
                        "data-name=\"retries\"");
        assertThat(report)
                .as("queue depth and consumers sampled from the management API")
                .contains(
                        "<svg id=\"queue-depth\"",
                        "data-name=\"ready\"",
                        "data-name=\"unacked\"",
                        "<svg id=\"consumers\"")
                .doesNotContain("queue-absent");
        assertThat(report)
                .as("axes with ticks and units")
                .contains(
                        "class=\"xtick\"",
                        "class=\"ytick\"",
                        "time since the start (s)",
                        ">rides/s</text>",
                        ">ms</text>",
                        ">messages</text>",
                        ">requests/s</text>");
        Matcher consumers = Pattern.compile("data-name=\"consumers\"[^>]*points=\"([^\"]*)\"")
                .matcher(report);
        assertThat(consumers.find()).isTrue();
        assertThat(consumers.group(1).split(" ").length)
                .as("a consumer sample a second")
                .isGreaterThanOrEqualTo(3);
        Path screenshot = RepositoryFiles.resolve("end-to-end/target/load-report.png");
        screenshotByChromium(html, screenshot);
        assertThat(Files.size(screenshot))
                .as("a screenshot of the rendered report")
                .isGreaterThan(20_000);
    }

    /** The page as headless Chromium renders it (the DOM after parsing), so the report is checked as a browser sees it. */
    private static String renderedByChromium(Path html) throws Exception {
        Process process = chromium(
                html, "--disable-background-networking", "--disable-component-update", "--disable-sync", "--dump-dom");
        byte[] dom = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("chromium finished")
                .isTrue();
        assertThat(process.exitValue()).isZero();
        String rendered = new String(dom, StandardCharsets.UTF_8);
        assertThat(rendered).contains("<table id=\"summary\">");
        return rendered;
    }

    /** A PNG of the page as headless Chromium draws it (README shows one). */
    private static void screenshotByChromium(Path html, Path png) throws Exception {
        Files.deleteIfExists(png);
        Process process = chromium(html, "--hide-scrollbars", "--window-size=840,2750", "--screenshot=" + png);
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("chromium finished")
                .isTrue();
        assertThat(png).exists();
    }

    /** Headless Chromium on the page, with a profile of its own and these flags; its errors are discarded. */
    private static Process chromium(Path html, String... flags) throws Exception {
        String chromium = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome").stream()
                .filter(p -> new File(p).canExecute())
                .findFirst()
                .orElseThrow(() ->
                        new AssertionError("no headless Chromium: install Debian's chromium (scripts/test does)"));
        List<String> command = new ArrayList<>(List.of(
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--user-data-dir=" + Files.createTempDirectory("liftline-chromium")));
        command.addAll(List.of(flags));
        command.add(html.toUri().toString());
        return new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static long figure(String html, String name) {
        Matcher m = Pattern.compile("<td>" + name + "</td><td>(\\d+)</td>").matcher(html);
        assertThat(m.find()).as("figure " + name + " in the report").isTrue();
        return Long.parseLong(m.group(1));
    }
}
