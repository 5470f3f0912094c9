package io.liftline.producer;

import io.liftline.producer.config.ProducerConfig;
import io.liftline.runtime.Launcher;

/** {@code java -jar liftline-producer-api.jar [--flag=value ...]}: runs the producer until SIGTERM. */
public final class ProducerMain {

    private ProducerMain() {}

    public static void main(String[] args) throws Exception {
        Launcher.run(
                "liftline-producer",
                "liftline-producer-api.jar",
                ProducerConfig.SETTINGS,
                args,
                ProducerConfig::from,
                ProducerApp::start);
    }
}
