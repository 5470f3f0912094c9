package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.testing.Commands;
import io.liftline.testing.RepositoryFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * rabbitmq/docker-compose.yml and docker-compose.cluster.yml as docker-compose reads them (no Docker engine needed
 * for {@code config}): valid, no application runs as a broker administrator or with a password in its environment,
 * and the cluster file has three broker nodes, a three-member replica set and every app on three shards.
 */
class ComposeFileIT {

    private static String config(String file) throws Exception {
        return Commands.succeed(
                Duration.ofSeconds(60),
                "docker-compose",
                "-f",
                RepositoryFiles.resolve(file).toString(),
                "config");
    }

    @Test
    void theComposeFilesAreValidAndGiveEachAppItsOwnUserThroughASecret() throws Exception {
        Path secrets = RepositoryFiles.resolve("rabbitmq/docker/secrets");
        boolean made = !Files.exists(secrets);
        // The secrets the file mounts are made per installation (git-ignored): stand-ins let config resolve them.
        Files.createDirectories(secrets);
        for (String file : new String[] {"rabbitmq/docker-compose.yml", "rabbitmq/docker-compose.cluster.yml"}) {
            Matcher secret = Pattern.compile("file: \\./docker/secrets/(\\S+)")
                    .matcher(Files.readString(RepositoryFiles.resolve(file)));
            while (secret.find()) {
                if (!Files.exists(secrets.resolve(secret.group(1)))) {
                    Files.writeString(secrets.resolve(secret.group(1)), "stand-in\n");
                }
            }
        }
        for (String name : new String[] {"10-users.json", "20-topology-cluster.json"}) {
            if (!Files.exists(secrets.resolve(name))) {
                Files.writeString(secrets.resolve(name), "stand-in\n");
            }
        }
        if (!Files.exists(secrets.resolve("erlang-cookie.env"))) {
            Files.writeString(secrets.resolve("erlang-cookie.env"), "RABBITMQ_ERLANG_COOKIE=standin\n");
        }
        try {
            String config = config("rabbitmq/docker-compose.yml");
            assertThat(config)
                    .contains("rabbitmq:", "mongodb:", "producer:", "consumer-1:", "consumer-2:")
                    .contains(
                            "LIFTLINE_AMQP_URI_FILE: /run/secrets/producer-amqp-uri",
                            "LIFTLINE_AMQP_URI_FILE: /run/secrets/consumer-amqp-uri")
                    .contains("docker/secrets/10-users.json")
                    .doesNotContain("LIFTLINE_AMQP_URI: ")
                    .doesNotContain("liftline:liftline");
            assertThat(config)
                    .as("the producer's health check asks its admin port")
                    .contains("/dev/tcp/127.0.0.1/9090");
            assertThat(config)
                    .as("the query API reads as the read-only MongoDB user, through a secret")
                    .contains(
                            "query-api:",
                            "LIFTLINE_MONGODB_URI_FILE: /run/secrets/query-mongodb-uri",
                            "LIFTLINE_MONGODB_URI_FILE: /run/secrets/consumer-mongodb-uri",
                            "MONGO_INITDB_ROOT_PASSWORD_FILE")
                    .doesNotContain("LIFTLINE_MONGODB_URI: ");
            assertThat(Files.readString(RepositoryFiles.resolve("rabbitmq/docker/mongo-init/10-liftline-users.js")))
                    .contains("user: 'liftline-query'", "roles: [{role: 'read', db: database}]")
                    .contains("user: 'liftline-consumer'", "roles: [{role: 'readWrite', db: database}]");
            String dockerfile = Files.readString(RepositoryFiles.resolve("Dockerfile"));
            Matcher target = Pattern.compile("target: (\\S+?)[,}]")
                    .matcher(config + "\n" + Files.readString(RepositoryFiles.resolve("rabbitmq/docker-compose.yml")));
            int targets = 0;
            while (target.find()) {
                assertThat(dockerfile)
                        .as("the Dockerfile has the build target compose asks for")
                        .contains("AS " + target.group(1).strip() + "\n");
                targets++;
            }
            assertThat(targets)
                    .as("images built for the producer, the consumers and the query API")
                    .isGreaterThanOrEqualTo(3);
            // what it copies, distribution/target/liftline, is built after this module: DistributionIT checks it
            assertThat(dockerfile).contains("COPY distribution/target/liftline/ /opt/liftline/");
            // docker-compose writes each published port as host_ip:published:target/protocol
            java.util.List<String> published = config.lines()
                    .map(String::strip)
                    .filter(l -> l.matches("- (\\S+:)?\\d+:\\d+/tcp"))
                    .toList();
            assertThat(published)
                    .as("published ports")
                    .hasSize(8)
                    .allSatisfy(
                            p -> assertThat(p).as("published on loopback only").startsWith("- 127.0.0.1:"));
            String cluster = config("rabbitmq/docker-compose.cluster.yml");
            assertThat(cluster)
                    .contains(
                            "rabbitmq-1:",
                            "rabbitmq-2:",
                            "rabbitmq-3:",
                            "mongodb-1:",
                            "mongodb-2:",
                            "mongodb-3:",
                            "mongodb-init:",
                            "producer-1:",
                            "producer-2:",
                            "consumer-1:",
                            "consumer-2:",
                            "query-api:")
                    .contains("docker/rabbitmq-cluster.conf", "docker/secrets/20-topology-cluster.json", "--replSet")
                    .contains(
                            "LIFTLINE_MONGODB_URI_FILE: /run/secrets/consumer-mongodb-uri",
                            "LIFTLINE_MONGODB_URI_FILE: /run/secrets/query-mongodb-uri",
                            "--keyFile /data/keyfile",
                            "MONGO_INITDB_ROOT_PASSWORD_FILE",
                            "docker-entrypoint-initdb.d")
                    .doesNotContain("LIFTLINE_MONGODB_URI: ")
                    .contains("liftline-producer.cluster-amqp-uri", "liftline-consumer.cluster-amqp-uri")
                    .doesNotContain("LIFTLINE_AMQP_URI: ");
            assertThat(cluster.split("LIFTLINE_SHARDS: '3'", -1))
                    .as("every app on 3 shards")
                    .hasSize(5);
            assertThat(Files.readString(RepositoryFiles.resolve("rabbitmq/docker/rabbitmq-cluster.conf")))
                    .contains(
                            "cluster_formation.classic_config.nodes.3 = rabbit@rabbitmq-3",
                            "cluster_partition_handling = pause_minority");
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
