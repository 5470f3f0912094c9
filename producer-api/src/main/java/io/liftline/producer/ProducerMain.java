package io.liftline.producer;

import io.liftline.config.ConfigSource;
import io.liftline.producer.config.ProducerConfig;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar liftline-producer-api.jar [--flag=value ...]}: runs the producer until SIGTERM. */
public final class ProducerMain {

    private static final Logger log = LoggerFactory.getLogger(ProducerMain.class);

    private ProducerMain() {
    }

    public static void main(String[] args) throws Exception {
        ProducerConfig config;
        try {
            ConfigSource source = ConfigSource.from(args, System::getenv);
            if (source.helpRequested()) {
                System.out.println(usage());
                return;
            }
            config = ProducerConfig.from(source);
        } catch (IllegalArgumentException e) {
            System.err.println("liftline-producer: " + e.getMessage() + " (--help lists the settings)");
            System.exit(2);
            return;
        }
        ProducerApp app = ProducerApp.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("SIGTERM: stopping the producer");
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
        StringBuilder sb = new StringBuilder("usage: java -jar liftline-producer-api.jar [--flag=value ...]\n"
                + "Each setting is a LIFTLINE_* environment variable or its --flag (flags win):\n");
        for (String variable : ProducerConfig.VARIABLES) {
            sb.append(String.format("  %-36s %s%n", ConfigSource.flagName(variable), variable));
        }
        return sb.toString();
    }
}
