package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.liftline.testing.RepositoryFiles;
import io.liftline.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/broker, as a user runs it, from a checkout the broker's own user cannot read. */
class BrokerScriptIT {

    @TempDir
    Path home;

    @Test
    void theBrokerScriptLoadsTheTopologyFromACheckoutOnlyItsOwnerCanRead() throws Exception {
        assumeTrue(
                TestBroker.endpoint().source().equals("local broker"),
                "scripts/broker manages the local broker; this run uses " + TestBroker.endpoint());
        Path checkout = Files.createDirectory(home.resolve("liftline"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        for (String dir : List.of("scripts", "rabbitmq")) {
            copy(RepositoryFiles.resolve(dir), checkout.resolve(dir));
        }
        Files.copy(RepositoryFiles.resolve("pom.xml"), checkout.resolve("pom.xml"));

        ProcessBuilder builder = new ProcessBuilder(
                        "bash", checkout.resolve("scripts/broker").toString(), "start")
                .redirectErrorStream(true);
        builder.environment().remove("LIFTLINE_AMQP_URI");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS))
                .as("scripts/broker finished")
                .isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("broker: ready").doesNotContain("could not load");
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
