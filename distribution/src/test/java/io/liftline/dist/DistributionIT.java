package io.liftline.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liftline.testing.MongoTestDatabase;
import io.liftline.testing.Poll;
import io.liftline.testing.RabbitVhost;
import io.liftline.testing.RepositoryFiles;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball as a user gets it: unpacked, its launchers run the producer, a worker and the query API against the
 * real broker and store; a ride posted to one is read back from the other; LIFTLINE_JAVA_OPTS reaches the JVM, the
 * defaults apply without it, LIFTLINE_LOG_FORMAT=json makes every line JSON, and SIGTERM stops each cleanly.
 */
class DistributionIT {

    @RegisterExtension
    static final RabbitVhost rabbit = new RabbitVhost();

    @RegisterExtension
    static final MongoTestDatabase mongo = new MongoTestDatabase();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path install;

    @Test
    void theTarballsLaunchersRunThePipelineWithJsonLogsAndTheirJvmOptions() throws Exception {
        Path tarball;
        try (var files = Files.list(RepositoryFiles.resolve("distribution/target"))) {
            tarball = files.filter(f -> f.getFileName().toString().matches("liftline-.+\\.tar\\.gz")).findFirst().orElseThrow();
        }
        Process untar = new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", install.toString()).inheritIO().start();
        assertThat(untar.waitFor()).isZero();
        Path home;
        try (var dirs = Files.list(install)) {
            home = dirs.findFirst().orElseThrow();
        }
        assertThat(home.getFileName().toString()).isEqualTo(tarball.getFileName().toString().replace(".tar.gz", ""));
        for (String launcher : List.of("liftline-producer", "liftline-consumer", "liftline-simulator", "liftline-ops", "liftline-query-api")) {
            assertThat(home.resolve("bin").resolve(launcher)).isExecutable();
        }

        int producerPort = freePort();
        int producerAdmin = freePort();
        int consumerAdmin = freePort();
        int queryPort = freePort();
        int queryAdmin = freePort();
        Map<String, String> common = Map.of("LIFTLINE_AMQP_URI", rabbit.amqpUri(), "LIFTLINE_MONGODB_URI", mongo.uri(),
                "LIFTLINE_MONGODB_DATABASE", mongo.databaseName(), "LIFTLINE_LOG_FORMAT", "json");
        List<Launched> launched = new ArrayList<>();
        try {
            Launched producer = launch(home, "liftline-producer", common, Map.of("LIFTLINE_HTTP_PORT", "" + producerPort,
                    "LIFTLINE_ADMIN_PORT", "" + producerAdmin, "LIFTLINE_JAVA_OPTS", "-Xmx96m -XX:+UseSerialGC"));
            launched.add(producer);
            Launched consumer = launch(home, "liftline-consumer", common, Map.of("LIFTLINE_METRICS_PORT", "" + consumerAdmin));
            launched.add(consumer);
            Launched query = launch(home, "liftline-query-api", common, Map.of("LIFTLINE_HTTP_PORT", "" + queryPort,
                    "LIFTLINE_ADMIN_PORT", "" + queryAdmin));
            launched.add(query);
            for (int admin : new int[] {producerAdmin, consumerAdmin, queryAdmin}) {
                Poll.waitAtMost(Duration.ofSeconds(60), "ready on " + admin, () -> status("http://127.0.0.1:" + admin + "/health/ready") == 200);
            }

            assertThat(producer.jvmArguments()).as("LIFTLINE_JAVA_OPTS replaces the defaults").contains("-Xmx96m").doesNotContain("-Xmx160m");
            assertThat(consumer.jvmArguments()).as("the launcher's defaults").contains("-Xmx200m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");

            HttpResponse<String> posted = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + producerPort
                    + "/skiers/3/seasons/2024/days/12/skiers/4711")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"time\":100,\"liftID\":17}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).isEqualTo(201);
            Poll.waitAtMost(Duration.ofSeconds(30), "the ride readable through the query API",
                    () -> body("http://127.0.0.1:" + queryPort + "/skiers/3/seasons/2024/days/12/skiers/4711").equals("170"));
            assertThat(JSON.readTree(body("http://127.0.0.1:" + queryPort + "/resorts/3/seasons/2024/day/12/skiers")).path("numSkiers").asInt())
                    .isEqualTo(1);

            for (Launched app : launched) {
                app.process.destroy();
                assertThat(app.process.waitFor(60, TimeUnit.SECONDS)).as(app.name + " stops on SIGTERM").isTrue();
                List<String> lines = Files.readAllLines(app.log);
                assertThat(lines).as(app.name + " logged").isNotEmpty();
                for (String line : lines) {
                    JsonNode event = JSON.readTree(line); // throws on a line that is not JSON
                    assertThat(event.has("level") && event.has("formattedMessage") && event.has("timestamp"))
                            .as(app.name + ": " + line).isTrue();
                }
                assertThat(String.join("\n", lines)).as(app.name + " says it stopped").contains("stopped");
            }
        } finally {
            for (Launched app : launched) {
                app.process.destroyForcibly();
            }
        }
    }

    private record Launched(String name, Process process, Path log) {
        List<String> jvmArguments() {
            return List.of(process.toHandle().info().arguments().orElseThrow());
        }
    }

    private Launched launch(Path home, String launcher, Map<String, String> common, Map<String, String> own) throws IOException {
        Path log = install.resolve(launcher + ".log");
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin").resolve(launcher).toString())
                .redirectOutput(log.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().remove("LIFTLINE_JAVA_OPTS");
        builder.environment().putAll(common);
        builder.environment().putAll(own);
        return new Launched(launcher, builder.start(), log);
    }

    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String body(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body() : "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
