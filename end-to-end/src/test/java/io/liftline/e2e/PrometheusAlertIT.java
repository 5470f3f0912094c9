package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liftline.consumer.ConsumerApp;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.producer.ProducerApp;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Commands;
import io.liftline.testing.HttpProbe;
import io.liftline.testing.Poll;
import io.liftline.testing.Ports;
import io.liftline.testing.RepositoryFiles;
import io.liftline.testing.TestBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * monitoring/ as an operator runs it: promtool checks the config and runs the rules' unit tests; then a real
 * Prometheus, with monitoring/prometheus.yml and alerts.yml (only the targets and the intervals changed), scrapes a
 * live producer, a worker and the broker, and raises LiftlineRidesWithoutConsumer once the workers have stopped
 * with rides still arriving, and not before.
 */
class PrometheusAlertIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void promtoolAcceptsTheConfigAndTheRulesPassTheirTests() throws Exception {
        Path monitoring = RepositoryFiles.resolve("monitoring");
        assertThat(run(monitoring, "promtool", "check", "config", "prometheus.yml"))
                .contains("SUCCESS");
        assertThat(run(monitoring, "promtool", "test", "rules", "tests/alerts-test.yml"))
                .contains("SUCCESS");
    }

    @Test
    void prometheusRaisesTheNoConsumerAlertWhenTheWorkersStopWithABacklog() throws Exception {
        URI management = TestBroker.endpoint().managementUri();
        int brokerMetrics = 15692;
        assertThat(management.getHost())
                .as("the broker's Prometheus port is the local broker's :15692")
                .isIn("127.0.0.1", "localhost");

        TestPipeline pipeline = TestPipeline.start(
                backends.rabbit().amqpUri(), backends.mongo(), p -> p, c -> c.set(ConsumerConfig.ADMIN_PORT, 0));
        ProducerApp producer = pipeline.producer;
        ConsumerApp consumer = pipeline.consumer;
        Process prometheus = null;
        boolean consumerStopped = false;
        try {
            // monitoring/ as shipped; only where things run, and a faster clock, are this test's
            Path config = dir.resolve("monitoring");
            copy(RepositoryFiles.resolve("monitoring"), config);
            Files.writeString(
                    config.resolve("targets/producer.yml"), "- targets: ['127.0.0.1:" + producer.adminPort() + "']\n");
            Files.writeString(
                    config.resolve("targets/consumer.yml"), "- targets: ['127.0.0.1:" + consumer.adminPort() + "']\n");
            Files.writeString(config.resolve("targets/query-api.yml"), "[]\n");
            Files.writeString(
                    config.resolve("targets/rabbitmq.yml"), "- targets: ['127.0.0.1:" + brokerMetrics + "']\n");
            String yml = Files.readString(config.resolve("prometheus.yml"));
            assertThat(yml).contains("scrape_interval: 15s", "evaluation_interval: 15s");
            Files.writeString(
                    config.resolve("prometheus.yml"),
                    yml.replace("scrape_interval: 15s", "scrape_interval: 2s")
                            .replace("evaluation_interval: 15s", "evaluation_interval: 2s"));
            assertThat(Files.readString(config.resolve("alerts.yml")))
                    .isEqualTo(Files.readString(RepositoryFiles.resolve("monitoring/alerts.yml")));

            int port = Ports.free();
            prometheus = new ProcessBuilder(
                            "prometheus",
                            "--config.file=" + config.resolve("prometheus.yml"),
                            "--storage.tsdb.path=" + dir.resolve("data"),
                            "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            String api = "http://127.0.0.1:" + port + "/api/v1/";
            Poll.waitAtMost(
                    Duration.ofSeconds(60),
                    "Prometheus scrapes the producer, the worker and the broker",
                    () -> value(api, "count(up == 1)").asText().equals("4"));
            Poll.waitAtMost(
                    Duration.ofSeconds(30),
                    "liftline_ready 1 on the producer and the worker",
                    () -> value(api, "sum(liftline_ready)").asText().equals("2"));
            String vhostQueue = "{vhost=\"" + backends.rabbit().vhost() + "\",queue=\"lift-rides\"}";
            Poll.waitAtMost(
                    Duration.ofSeconds(60),
                    "the queue's consumers seen by Prometheus",
                    () -> value(api, "rabbitmq_detailed_queue_consumers" + vhostQueue)
                                    .asInt()
                            > 0);

            int status = post(producer.port(), 1);
            assertThat(status).isEqualTo(201);
            Thread.sleep(10_000);
            assertThat(alert(api)).as("no alert while the worker consumes").isNull();

            consumer.close();
            consumerStopped = true;
            for (int i = 2; i <= 50; i++) {
                assertThat(post(producer.port(), i)).isEqualTo(201);
            }
            Poll.waitAtMost(Duration.ofSeconds(60), "the alert pending", () -> "pending".equals(state(alert(api))));
            JsonNode firing = Poll.waitAtMost(
                    Duration.ofSeconds(120),
                    "the alert firing",
                    () -> alert(api),
                    a -> a != null && "firing".equals(a.path("state").asText()));
            assertThat(firing.path("labels").path("severity").asText()).isEqualTo("critical");
            assertThat(firing.path("annotations").path("summary").asText())
                    .matches("lift-rides holds \\d+ rides and no worker consumes it");
            assertThat(firing.path("value").asText()).isNotEqualTo("0");
        } finally {
            if (prometheus != null) {
                prometheus.destroy();
                prometheus.waitFor(30, TimeUnit.SECONDS);
            }
            if (consumerStopped) {
                producer.close();
            } else {
                pipeline.close();
            }
        }
    }

    /** LiftlineRidesWithoutConsumer for this test's vhost, or null. */
    private JsonNode alert(String api) throws Exception {
        for (JsonNode alert : JSON.readTree(get(api + "alerts")).path("data").path("alerts")) {
            if (alert.path("labels").path("alertname").asText().equals("LiftlineRidesWithoutConsumer")
                    && alert.path("labels")
                            .path("vhost")
                            .asText()
                            .equals(backends.rabbit().vhost())) {
                return alert;
            }
        }
        return null;
    }

    private static String state(JsonNode alert) {
        return alert == null ? null : alert.path("state").asText();
    }

    private static int post(int port, int skier) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + port + "/skiers/3/seasons/2025/days/17/skiers/" + skier))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"time\":100,\"liftID\":7}"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static String get(String url) throws Exception {
        return HttpProbe.get(URI.create(url), Duration.ofSeconds(10)).body();
    }

    /** The value of an instant query's first series (a missing node where there is none yet). */
    private static JsonNode value(String api, String query) throws Exception {
        return JSON.readTree(get(api + "query?query=" + enc(query)))
                .path("data")
                .path("result")
                .path(0)
                .path("value")
                .path(1);
    }

    private static String enc(String query) {
        return java.net.URLEncoder.encode(query, StandardCharsets.UTF_8);
    }

    private static String run(Path dir, String... command) throws Exception {
        return Commands.succeed(new ProcessBuilder(command).directory(dir.toFile()), Duration.ofSeconds(60));
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
