package io.liftline.e2e.faults;

import java.io.IOException;
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

/** One process of the pipeline (a producer, a worker, the store), so the suite can kill, stop and restart it. */
final class AppProcess implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String name;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private final URI ready;
    private Process process;

    /**
     * @param ready the process's readiness URL, or null when it has none (the store: ready when it takes TCP)
     */
    AppProcess(String name, List<String> command, Map<String, String> env, Path logs, URI ready) {
        this.name = name;
        this.command = command;
        this.env = env;
        this.log = logs.resolve(name + ".log");
        this.ready = ready;
    }

    static List<String> java(String... args) {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC"));
        command.addAll(List.of(args));
        return command;
    }

    String name() {
        return name;
    }

    AppProcess start() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        process = builder.start();
        return this;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** Answers its readiness probe with 200 (a process without one: is alive). */
    boolean ready() {
        if (!alive()) {
            return false;
        }
        if (ready == null) {
            return true;
        }
        try {
            return HTTP.send(
                                    HttpRequest.newBuilder(ready)
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL: no shutdown hook, nothing flushed, nothing acked. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, and waits for the graceful stop. */
    void terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(name + " did not stop within 60 s of SIGTERM; log: " + log);
        }
    }

    /** Sends a signal by name (STOP, CONT) with kill(1). */
    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .inheritIO()
                .start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws InterruptedException {
        if (alive()) {
            kill9();
        }
    }
}
