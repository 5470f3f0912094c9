package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.liftline.broker.BrokerClients;
import io.liftline.broker.Topology;
import io.liftline.testing.Commands;
import io.liftline.testing.RepositoryFiles;
import io.liftline.testing.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/broker, as a user runs it, from a checkout the broker's own user cannot read: the topology loaded, and the
 * applications' users made by the installation's liftline-ops, each with its URI in the checkout's secrets.
 */
class BrokerScriptIT {

    @TempDir
    Path home;

    @Test
    void theBrokerScriptLoadsTheTopologyAndTheUsersFromACheckoutOnlyItsOwnerCanRead() throws Exception {
        assumeTrue(
                TestBroker.endpoint().source().equals("local broker"),
                "scripts/broker manages the local broker; this run uses " + TestBroker.endpoint());
        Path checkout = Files.createDirectory(home.resolve("liftline"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        for (String dir : List.of("scripts", "rabbitmq")) {
            copy(RepositoryFiles.resolve(dir), checkout.resolve(dir));
        }
        Files.copy(RepositoryFiles.resolve("pom.xml"), checkout.resolve("pom.xml"));
        // The installation's liftline-ops, which loads the users: this module's build has its jar, not the tarball.
        Path bin = Files.createDirectories(checkout.resolve("distribution/target/liftline/bin"));
        Files.writeString(
                bin.resolve("liftline-ops"),
                "#!/bin/sh\nexec '" + ProcessHandle.current().info().command().orElse("java") + "' -jar '"
                        + RepositoryFiles.resolve("ops-tools/target/liftline-ops-tools.jar") + "' \"$@\"\n");
        Files.setPosixFilePermissions(bin.resolve("liftline-ops"), PosixFilePermissions.fromString("rwx------"));

        ProcessBuilder builder =
                new ProcessBuilder("bash", checkout.resolve("scripts/broker").toString(), "start");
        builder.environment().remove("LIFTLINE_AMQP_URI");
        String output = Commands.succeed(builder, Duration.ofSeconds(120));
        assertThat(output).contains("broker: ready", "broker users:").doesNotContain("could not load");

        // Each app's user, its URI kept for it: the producer's may publish rides and may not read them.
        Path secrets = checkout.resolve("data/secrets");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets)))
                .isEqualTo("rwx------");
        String producerUri =
                Files.readString(secrets.resolve("liftline-producer.amqp-uri")).strip();
        try (Connection producer = BrokerClients.connect(producerUri, "broker-script-it")) {
            producer.createChannel().exchangeDeclarePassive(Topology.EXCHANGE);
            Channel reader = producer.createChannel();
            assertThatThrownBy(() -> reader.basicGet(Topology.QUEUE, false)).hasStackTraceContaining("ACCESS_REFUSED");
        }
        assertThat(Files.readString(secrets.resolve("liftline-ops.management-uri")))
                .startsWith("http://liftline-ops:");
    }

    private static void copy(Path from, Path to) throws Exception {
        try (var paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
