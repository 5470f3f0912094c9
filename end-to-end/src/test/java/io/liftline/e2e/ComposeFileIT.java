package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.testing.RepositoryFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * rabbitmq/docker-compose.yml as docker-compose reads it (no Docker engine needed for {@code config}): valid, and
 * no application runs as a broker administrator or with a password in its environment.
 */
class ComposeFileIT {

    @Test
    void theComposeFileIsValidAndGivesEachAppItsOwnUserThroughASecret() throws Exception {
        Path secrets = RepositoryFiles.resolve("rabbitmq/docker/secrets");
        boolean made = !Files.exists(secrets);
        // The secrets the file mounts are made per installation (git-ignored): stand-ins let config resolve them.
        Files.createDirectories(secrets);
        for (String name : new String[] {"liftline-producer.amqp-uri", "liftline-consumer.amqp-uri", "10-users.json"}) {
            if (!Files.exists(secrets.resolve(name))) {
                Files.writeString(secrets.resolve(name), "stand-in\n");
            }
        }
        try {
            Process process = new ProcessBuilder("docker-compose", "-f",
                    RepositoryFiles.resolve("rabbitmq/docker-compose.yml").toString(), "config")
                    .redirectErrorStream(true).start();
            String config = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(config).isZero();
            assertThat(config).contains("rabbitmq:", "mongodb:", "producer:", "consumer-1:", "consumer-2:")
                    .contains("LIFTLINE_AMQP_URI_FILE: /run/secrets/producer-amqp-uri",
                            "LIFTLINE_AMQP_URI_FILE: /run/secrets/consumer-amqp-uri")
                    .contains("docker/secrets/10-users.json")
                    .doesNotContain("LIFTLINE_AMQP_URI: ")
                    .doesNotContain("liftline:liftline");
            assertThat(config).as("the producer's health check asks its admin port").contains("/dev/tcp/127.0.0.1/9090");
            // docker-compose writes each published port as host_ip:published:target/protocol
            java.util.List<String> published = config.lines().map(String::strip)
                    .filter(l -> l.matches("- (\\S+:)?\\d+:\\d+/tcp")).toList();
            assertThat(published).as("published ports").hasSize(6)
                    .allSatisfy(p -> assertThat(p).as("published on loopback only").startsWith("- 127.0.0.1:"));
        } finally {
            if (made) {
                try (var files = Files.list(secrets)) {
                    for (Path file : files.toList()) {
                        Files.delete(file);
                    }
                }
                Files.delete(secrets);
            }
        }
    }
}
