package io.liftline.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Commands;
import io.liftline.testing.RepositoryFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball as a user gets it: unpacked, its launchers run the producer, a worker and the query API against the
 * real broker and store; a ride posted to one is read back from the other; LIFTLINE_JAVA_OPTS reaches the JVM, the
 * defaults apply without it, LIFTLINE_LOG_FORMAT=json makes every line JSON, and SIGTERM stops each cleanly.
 */
class DistributionIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path install;

    @Test
    void theInstallationsOpsToolMakesListsAndRevokesApiKeys() throws Exception {
        Path home = unpack();
        Path keys = install.resolve("etc/api-keys");

        Commands.Ran made = ops(home, "api-key", "new", "gate7", "3,4", "--api-keys-file=" + keys);
        assertThat(made.exit()).as(made.output()).isZero();
        String key = made.output().strip();
        assertThat(key).startsWith("ll_");
        assertThat(Files.readString(keys))
                .as("the file keeps the hash, never the key")
                .doesNotContain(key)
                .contains(" gate7 3,4 ingest");
        assertThat(ops(home, "api-key", "new", "analyst", "*", "read", "--api-keys-file=" + keys)
                        .exit())
                .isZero();

        Commands.Ran listed = ops(home, "api-key", "list", "--api-keys-file=" + keys);
        assertThat(listed.output()).containsPattern("gate7 +3,4 +ingest").containsPattern("analyst +\\* +read");

        assertThat(ops(home, "api-key", "revoke", "gate7", "--api-keys-file=" + keys)
                        .output())
                .contains("revoked 1 key(s)");
        assertThat(ops(home, "api-key", "list", "--api-keys-file=" + keys).output())
                .doesNotContain("gate7");
        Commands.Ran refused = ops(home, "api-key", "new", "gate 8", "*", "--api-keys-file=" + keys);
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.output()).contains("the client name must be");
    }

    @Test
    void theInstallationsOpsToolGivesItsBrokerUsersWithHashedPasswordsOnly() throws Exception {
        Path home = unpack();
        Path secrets = install.resolve("etc/secrets");

        // No --users-file: the installation's own conf/rabbitmq/users.json.
        Commands.Ran definitions = ops(home, "users", "definitions", "--secrets-dir=" + secrets);
        assertThat(definitions.exit()).as(definitions.output()).isZero();
        JsonNode users = JSON.readTree(definitions.output()).path("users");
        assertThat(users).hasSize(3);
        for (JsonNode user : users) {
            String password = Files.readString(secrets.resolve(user.path("name").asText() + ".password"));
            assertThat(definitions.output()).doesNotContain(password);
            assertThat(user.path("password_hash").asText()).hasSize(48); // base64 of a 4-byte salt and a SHA-256
        }
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets)))
                .isEqualTo("rwx------");
    }

    /** Runs bin/liftline-ops with these arguments; its standard output. */
    private static Commands.Ran ops(Path home, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(
                List.of(home.resolve("bin/liftline-ops").toString()));
        command.addAll(List.of(args));
        return Commands.run(
                new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD), Duration.ofSeconds(60));
    }

    /** The tarball unpacked into {@link #install}: its home directory. */
    private Path unpack() throws Exception {
        Path tarball;
        try (var files = Files.list(RepositoryFiles.resolve("distribution/target"))) {
            tarball = files.filter(f -> f.getFileName().toString().matches("liftline-.+\\.tar\\.gz"))
                    .findFirst()
                    .orElseThrow();
        }
        Process untar = new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", install.toString())
                .inheritIO()
                .start();
        assertThat(untar.waitFor()).isZero();
        Path home;
        try (var dirs = Files.list(install)) {
            home = dirs.findFirst().orElseThrow();
        }
        assertThat(home.getFileName().toString())
                .isEqualTo(tarball.getFileName().toString().replace(".tar.gz", ""));
        return home;
    }

    @Test
    void theTarballsLaunchersRunThePipelineWithJsonLogsAndTheirJvmOptions() throws Exception {
        Path home = unpack();
        for (String launcher : List.of(
                "liftline-producer", "liftline-consumer", "liftline-simulator", "liftline-ops", "liftline-query-api")) {
            assertThat(home.resolve("bin").resolve(launcher)).isExecutable();
        }

        Map<String, String> common = backends.environment("LIFTLINE_LOG_FORMAT", "json");
        InstalledPipeline.Launcher launchers = (app, env, log) -> {
            ProcessBuilder builder = new ProcessBuilder(
                            home.resolve("bin").resolve("liftline-" + app).toString())
                    .redirectOutput(log.toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().remove("LIFTLINE_JAVA_OPTS");
            builder.environment().putAll(env);
            return builder.start();
        };
        try (InstalledPipeline pipeline = new InstalledPipeline(
                launchers,
                install,
                common,
                Map.of("producer", Map.of("LIFTLINE_JAVA_OPTS", "-Xmx96m -XX:+UseSerialGC")))) {
            pipeline.awaitReady();
            assertThat(pipeline.producer.jvmArguments())
                    .as("LIFTLINE_JAVA_OPTS replaces the defaults")
                    .contains("-Xmx96m")
                    .doesNotContain("-Xmx160m");
            assertThat(pipeline.consumer.jvmArguments())
                    .as("the launcher's defaults")
                    .contains("-Xmx200m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");
            pipeline.carriesARideFromProducerToQueryApi();
            pipeline.stopsOnSigterm();
            for (InstalledPipeline.Launched app : pipeline.apps()) {
                for (String line : app.logLines()) {
                    JsonNode event = JSON.readTree(line); // throws on a line that is not JSON
                    assertThat(event.has("level") && event.has("formattedMessage") && event.has("timestamp"))
                            .as(app.app() + ": " + line)
                            .isTrue();
                }
            }
        }
    }
}
