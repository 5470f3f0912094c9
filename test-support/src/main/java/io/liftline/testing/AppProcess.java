package io.liftline.testing;

import io.liftline.management.PrometheusText;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A process of the pipeline under test (a service's jar, the store, the balancer), the one way tests launch one: so
 * that they can SIGTERM it, kill -9 it, stop and continue it, and start it again, its output in a log file.
 */
public final class AppProcess implements AutoCloseable {

    private final String name;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private final URI ready;
    private Process process;

    /**
     * A service's shaded jar ({@code target/<jar>} of the module under test), started at once.
     *
     * @throws AssertionError when the jar is missing: integration tests run after {@code package} ({@code mvn verify})
     */
    public static AppProcess jar(String name, Path jar, Map<String, String> env, URI ready) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(
                    jar.toAbsolutePath() + " is missing: integration tests run after `package` (mvn verify)");
        }
        Path logs = Files.createDirectories(Path.of("target", "process-logs"));
        return new AppProcess(name, java("-jar", jar.toString()), env, logs, ready).start();
    }

    /**
     * @param ready the process's readiness URL, or null when it has none (the store: ready when it takes TCP)
     */
    public AppProcess(String name, List<String> command, Map<String, String> env, Path logs, URI ready) {
        this.name = name;
        this.command = command;
        this.env = env;
        this.log = logs.resolve(name + ".log");
        this.ready = ready;
    }

    /** A Java command line with the small, steady heap that many processes on one machine need. */
    public static List<String> java(String... args) {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC"));
        command.addAll(List.of(args));
        return command;
    }

    public String name() {
        return name;
    }

    /** Starts the process (again, after a kill or stop); its output is appended to its log. */
    public AppProcess start() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        process = builder.start();
        return this;
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** A sample of its admin port's /metrics, 0 when it does not answer (down, or a process without one). */
    public double metric(String sample) {
        if (ready == null || !alive()) {
            return 0;
        }
        try {
            String text = HttpProbe.get(ready.resolve("/metrics"), Duration.ofSeconds(2))
                    .body();
            double value = PrometheusText.value(text, sample);
            return Double.isNaN(value) ? 0 : value;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** Answers its readiness probe with 200 (a process without one: is alive). */
    public boolean ready() {
        if (!alive()) {
            return false;
        }
        if (ready == null) {
            return true;
        }
        return HttpProbe.status(ready, Duration.ofSeconds(2)) == 200;
    }

    /** SIGKILL: no shutdown hook, nothing flushed, nothing acked. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, and waits for the graceful stop; its exit status. */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(name + " did not stop within 60 s of SIGTERM; log: " + log);
        }
        return process.exitValue();
    }

    /** Sends a signal by name (STOP, CONT) with kill(1). */
    public void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .inheritIO()
                .start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    /** What the process has written so far. */
    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws InterruptedException {
        if (alive()) {
            kill9();
        }
    }
}
