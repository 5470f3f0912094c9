package io.liftline.simulator;

import io.liftline.config.ConfigSource;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** {@code java -jar liftline-scanner-simulator.jar [--url=...] [--events=N] [--threads=N] [--verify]}. */
public final class SimulatorMain {

    private SimulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        SimulatorConfig config;
        try {
            ConfigSource source = ConfigSource.from(args, System::getenv);
            if (source.helpRequested()) {
                System.out.println(usage());
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

    /** Runs the load (and the verification); returns the exit code: 0, or 1 on failures or loss. */
    static int run(SimulatorConfig config) throws InterruptedException {
        System.out.println("simulating scanners: " + config);
        Simulator simulator = new Simulator(config);
        long start = System.nanoTime();
        simulator.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        LoadStats stats = simulator.stats();
        Histogram h = stats.histogram();
        System.out.println(String.format(Locale.ROOT,
                "sent %d rides in %.1f s: %d ok, %d failed, %d retries; %.0f rides/s; latency ms mean %.1f, p50 %.1f, p95 %.1f, p99 %.1f, max %.1f",
                config.events(), seconds, stats.okCount(), stats.failedCount(), stats.retryCount(), stats.okCount() / seconds,
                h.getMean() / 1000, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(95) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0));
        int exit = stats.failedCount() == 0 ? 0 : 1;
        if (config.verify()) {
            Verifier.Result result = Verifier.verify(config.mongodbUri(), config.mongodbDatabase(), config.runId(),
                    simulator.acceptedIds(), config.verifyTimeout());
            System.out.println(result.summary());
            if (!result.lossless()) {
                System.out.println("LOSS: first missing ids: " + result.missing().stream().limit(10).toList());
                exit = 1;
            }
        }
        return exit;
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("usage: java -jar liftline-scanner-simulator.jar [--flag=value ...]\n");
        for (String variable : SimulatorConfig.VARIABLES) {
            sb.append(String.format("  %-28s %s%n", ConfigSource.flagName(variable), variable));
        }
        return sb.toString();
    }
}
