package io.liftline.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.liftline.testing.HttpProbe;
import io.liftline.testing.Poll;
import io.liftline.testing.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The producer, a worker and the query API started as an installation starts them (by its launchers, or its
 * images), checked from outside: ready, a ride posted to one read back from another, and a clean SIGTERM.
 */
final class InstalledPipeline implements AutoCloseable {

    /** Starts one application ("producer", "consumer", "query-api") with this environment, its output to {@code log}. */
    interface Launcher {
        Process start(String app, Map<String, String> env, Path log) throws Exception;
    }

    /** A started application; its JVM is the process itself (a launcher execs java) or a descendant (a container). */
    record Launched(String app, Process process, Path log, int adminPort) {
        ProcessHandle jvm() {
            return Poll.waitAtMost(
                    Duration.ofSeconds(30),
                    app + "'s JVM",
                    () -> java(process.toHandle())
                            ? process.toHandle()
                            : process.descendants()
                                    .filter(InstalledPipeline::java)
                                    .findFirst()
                                    .orElse(null),
                    handle -> handle != null);
        }

        List<String> jvmArguments() {
            return List.of(jvm().info().arguments().orElseThrow());
        }

        List<String> logLines() throws IOException {
            return Files.readAllLines(log);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final Launched producer;
    final Launched consumer;
    final Launched query;
    private final int producerPort;
    private final int queryPort;

    /**
     * @param common  every application's environment (broker, store, log format)
     * @param own     more environment per application, by name
     */
    InstalledPipeline(Launcher launcher, Path logs, Map<String, String> common, Map<String, Map<String, String>> own)
            throws Exception {
        producerPort = Ports.free();
        queryPort = Ports.free();
        producer = start(
                launcher,
                logs,
                "producer",
                common,
                own,
                Map.of("LIFTLINE_HTTP_PORT", "" + producerPort),
                "LIFTLINE_ADMIN_PORT");
        consumer = start(launcher, logs, "consumer", common, own, Map.of(), "LIFTLINE_ADMIN_PORT");
        query = start(
                launcher,
                logs,
                "query-api",
                common,
                own,
                Map.of("LIFTLINE_HTTP_PORT", "" + queryPort),
                "LIFTLINE_ADMIN_PORT");
    }

    private static Launched start(
            Launcher launcher,
            Path logs,
            String app,
            Map<String, String> common,
            Map<String, Map<String, String>> own,
            Map<String, String> port,
            String adminVariable)
            throws Exception {
        int admin = Ports.free();
        Map<String, String> env = new HashMap<>(common);
        env.putAll(port);
        env.put(adminVariable, "" + admin);
        env.putAll(own.getOrDefault(app, Map.of()));
        Path log = logs.resolve(app + ".log");
        return new Launched(app, launcher.start(app, env, log), log, admin);
    }

    List<Launched> apps() {
        return List.of(producer, consumer, query);
    }

    void awaitReady() {
        for (Launched app : apps()) {
            Poll.waitAtMost(
                    Duration.ofSeconds(90),
                    app.app() + " ready",
                    () -> HttpProbe.status(
                                    "http://127.0.0.1:" + app.adminPort() + "/health/ready", Duration.ofSeconds(5))
                            == 200);
        }
    }

    /** A ride posted to the producer reaches the store through the worker and is read back through the query API. */
    void carriesARideFromProducerToQueryApi() throws Exception {
        HttpResponse<String> posted = HTTP.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + producerPort + "/skiers/3/seasons/2024/days/12/skiers/4711"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"time\":100,\"liftID\":17}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
        Poll.waitAtMost(
                Duration.ofSeconds(30),
                "the ride readable through the query API",
                () -> body("http://127.0.0.1:" + queryPort + "/skiers/3/seasons/2024/days/12/skiers/4711")
                        .equals("170"));
        // The worker counts a batch into the skier's summaries, then the resort-day's, then the top lists: the
        // resort-day
        // answer may follow the skier-day one by a moment.
        Poll.waitAtMost(
                Duration.ofSeconds(30),
                "the resort-day counting the skier",
                () -> JSON.readTree(body("http://127.0.0.1:" + queryPort + "/resorts/3/seasons/2024/day/12/skiers"))
                                .path("numSkiers")
                                .asInt()
                        == 1);
    }

    /** SIGTERM to each JVM, as a service manager or {@code docker stop} sends it: each stops within a minute, saying so. */
    void stopsOnSigterm() throws Exception {
        for (Launched app : apps()) {
            app.jvm().destroy();
            assertThat(app.process().waitFor(60, TimeUnit.SECONDS))
                    .as(app.app() + " stops on SIGTERM")
                    .isTrue();
            assertThat(String.join("\n", app.logLines()))
                    .as(app.app() + " says it stopped")
                    .contains("stopped");
        }
    }

    @Override
    public void close() {
        for (Launched app : apps()) {
            app.process().descendants().forEach(ProcessHandle::destroyForcibly);
            app.process().destroyForcibly();
        }
    }

    private static boolean java(ProcessHandle handle) {
        return handle.info().command().map(command -> command.endsWith("/java")).orElse(false);
    }

    private static String body(String url) throws Exception {
        HttpResponse<String> response =
                HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body() : "";
    }
}
