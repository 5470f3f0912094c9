package io.liftline.consumer;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The consumer worker as a real process (the shaded jar), so tests can SIGTERM and kill -9 it. */
final class WorkerProcess implements AutoCloseable {

    private static final Path JAR = Path.of("target", "liftline-consumer-worker.jar");

    private final Process process;
    private final Path log;

    private WorkerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static WorkerProcess start(String name, Map<String, String> env) throws Exception {
        if (!Files.isRegularFile(JAR)) {
            throw new AssertionError(
                    JAR.toAbsolutePath() + " is missing: integration tests run after `package` (mvn verify)");
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = Files.createDirectories(Path.of("target", "worker-logs")).resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(
                        List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-jar", JAR.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        return new WorkerProcess(builder.start(), log);
    }

    /** SIGTERM, then waits for the graceful stop. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("worker did not stop within 60 s of SIGTERM; log: " + log);
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no final ack, nothing flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() throws Exception {
        File file = log.toFile();
        return file.exists() ? Files.readString(log) : "";
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
