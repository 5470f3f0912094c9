package io.liftline.consumer;

import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.consumer.mongo.RideSink;
import io.liftline.runtime.Launcher;
import java.util.function.Function;

/** {@code java -jar liftline-consumer-worker.jar [--flag=value ...]}: runs the consumer until SIGTERM. */
public final class ConsumerMain {

    private ConsumerMain() {}

    public static void main(String[] args) throws Exception {
        run(args, null);
    }

    /** Runs the consumer until SIGTERM; a non-null sink factory replaces MongoDB and the read model (for the benchmarks). */
    public static void run(String[] args, Function<ConsumerConfig, RideSink> sink) throws Exception {
        Launcher.run(
                "liftline-consumer",
                "liftline-consumer-worker.jar",
                ConsumerConfig.SETTINGS,
                args,
                ConsumerConfig::from,
                config -> ConsumerApp.start(config, sink == null ? null : sink.apply(config)));
    }
}
