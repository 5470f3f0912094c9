package io.liftline.consumer;

import io.liftline.config.ConfigSource;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.consumer.mongo.RideSink;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar liftline-consumer-worker.jar [--flag=value ...]}: runs the consumer until SIGTERM. */
public final class ConsumerMain {

    private static final Logger log = LoggerFactory.getLogger(ConsumerMain.class);

    private ConsumerMain() {
    }

    public static void main(String[] args) throws Exception {
        run(args, null);
    }

    /** Runs the consumer until SIGTERM; a non-null sink replaces MongoDB (for the benchmark). */
    public static void run(String[] args, RideSink sink) throws Exception {
        ConsumerConfig config;
        try {
            ConfigSource source = ConfigSource.from(args, System::getenv);
            if (source.helpRequested()) {
                System.out.println(usage());
                return;
            }
            config = ConsumerConfig.from(source);
        } catch (IllegalArgumentException e) {
            System.err.println("liftline-consumer: " + e.getMessage() + " (--help lists the settings)");
            System.exit(2);
            return;
        }
        ConsumerApp app = ConsumerApp.start(config, sink);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("SIGTERM: stopping the consumer");
            try {
                app.close();
            } catch (Exception e) {
                log.warn("shutdown failed: {}", e.toString());
            } finally {
                stopped.countDown();
            }
        }, "shutdown"));
        stopped.await();
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("usage: java -jar liftline-consumer-worker.jar [--flag=value ...]\n"
                + "Each setting is a LIFTLINE_* environment variable or its --flag (flags win):\n");
        for (String variable : ConsumerConfig.VARIABLES) {
            sb.append(String.format("  %-36s %s%n", ConfigSource.flagName(variable), variable));
        }
        return sb.toString();
    }
}
