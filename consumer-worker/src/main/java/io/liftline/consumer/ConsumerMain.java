package io.liftline.consumer;

import io.liftline.config.Launcher;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.consumer.mongo.RideSink;

/** {@code java -jar liftline-consumer-worker.jar [--flag=value ...]}: runs the consumer until SIGTERM. */
public final class ConsumerMain {

    private ConsumerMain() {
    }

    public static void main(String[] args) throws Exception {
        run(args, null);
    }

    /** Runs the consumer until SIGTERM; a non-null sink replaces MongoDB (for the benchmark). */
    public static void run(String[] args, RideSink sink) throws Exception {
        Launcher.run("liftline-consumer", "liftline-consumer-worker.jar", ConsumerConfig.VARIABLES, args, ConsumerConfig::from,
                config -> ConsumerApp.start(config, sink));
    }
}
