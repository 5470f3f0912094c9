package io.liftline.simulator;

import io.liftline.runtime.ConfigSource;
import io.liftline.runtime.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code java -jar liftline-scanner-simulator.jar [--url=...] [--events=N] [--mode=upic|batch] [--verify] [--html=FILE]}. */
public final class SimulatorMain {

    private SimulatorMain() {}

    public static void main(String[] args) throws Exception {
        SimulatorConfig config;
        try {
            ConfigSource source = ConfigSource.from(args, System::getenv);
            if (source.helpRequested()) {
                System.out.print(SimulatorConfig.SETTINGS.usage("java -jar liftline-scanner-simulator.jar"));
                return;
            }
            config = SimulatorConfig.from(source);
        } catch (IllegalArgumentException e) {
            System.err.println("liftline-simulator: " + e.getMessage() + " (--help lists the options)");
            System.exit(2);
            return;
        }
        System.exit(run(config));
    }

    /**
     * What a run did, for programs that drive the simulator (the fault suite).
     *
     * @param exit     0, or 1 on failed requests or any missing, altered or twice-stored ride
     * @param accepted rides answered 201; the verification's figures are -1 without {@code verify}
     */
    public record Outcome(
            int exit,
            long ridesOk,
            long ridesFailed,
            long retries,
            long unavailable,
            int accepted,
            long stored,
            int missing,
            int altered,
            long duplicates,
            String verification) {}

    /** Runs the load (and the verification); returns the exit code: 0, or 1 on failures or loss. */
    public static int run(SimulatorConfig config) throws InterruptedException, IOException {
        return execute(config).exit();
    }

    /** Runs the load (and the verification), printing as the command does, and returns what it did. */
    public static Outcome execute(SimulatorConfig config) throws InterruptedException, IOException {
        System.out.println("simulating scanners: " + config);
        java.time.Instant started = java.time.Instant.now();
        Simulator simulator = new Simulator(config);
        QueueSampler sampler =
                config.managementUri() == null && config.workerUris().isEmpty()
                        ? null
                        : new QueueSampler(config.managementUri(), config.workerUris(), simulator.startNanos());
        try {
            simulator.run();
        } finally {
            if (sampler != null) {
                sampler.close();
            }
        }
        Report report = new Report(
                simulator.stats(),
                System.nanoTime() - simulator.startNanos(),
                sampler == null ? List.of() : sampler.samples());
        System.out.println("result: " + report.text());
        int exit = simulator.stats().failedCount() == 0 ? 0 : 1;
        String verification = null;
        Verifier.Result verified = null;
        if (config.verify()) {
            Verifier.Result result = Verifier.verify(
                    config.mongodbUri(),
                    config.mongodbDatabase(),
                    config.runId(),
                    simulator.rides(),
                    config.events(),
                    simulator.accepted(),
                    config.idempotencyKeys(),
                    started,
                    config.verifyTimeout());
            verified = result;
            verification = result.summary();
            System.out.println(verification);
            if (!result.lossless()) {
                // Missing rides are lost, or still queued behind a backlog the workers had not drained when the
                // timeout passed: the message says both, and how to tell them apart.
                System.out.println((result.altered().isEmpty() ? "NOT STORED" : "LOSS") + ": "
                        + result.missing().size() + " accepted rides not in the store after --verify-timeout="
                        + Setting.format(config.verifyTimeout())
                        + (result.missing().isEmpty()
                                ? ""
                                : " (a backlog still draining looks the same: check the ride queues' depth, then"
                                        + " verify with a longer --verify-timeout)")
                        + "; first missing ids: "
                        + result.missing().stream().limit(10).toList()
                        + ", first altered ids: "
                        + result.altered().stream().limit(10).toList());
                exit = 1;
            }
        }
        if (config.html() != null) {
            Path html = Path.of(config.html()).toAbsolutePath();
            if (html.getParent() != null) {
                Files.createDirectories(html.getParent());
            }
            Files.writeString(html, report.html(config, verification));
            System.out.println("report: " + html);
        }
        if (config.csv() != null) {
            System.out.println("per-request CSV: " + Path.of(config.csv()).toAbsolutePath());
        }
        LoadStats stats = simulator.stats();
        return verified == null
                ? new Outcome(
                        exit,
                        stats.okCount(),
                        stats.failedCount(),
                        stats.retryCount(),
                        stats.unavailableCount(),
                        simulator.accepted().size(),
                        -1,
                        -1,
                        -1,
                        -1,
                        null)
                : new Outcome(
                        exit,
                        stats.okCount(),
                        stats.failedCount(),
                        stats.retryCount(),
                        stats.unavailableCount(),
                        verified.accepted(),
                        verified.stored(),
                        verified.missing().size(),
                        verified.altered().size(),
                        verified.duplicates(),
                        verification);
    }
}
