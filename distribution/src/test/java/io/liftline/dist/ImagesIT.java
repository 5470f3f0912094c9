package io.liftline.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.RepositoryFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile's images, built by scripts/images as a machine without a Docker engine builds them (buildah, and a
 * JRE base image from Debian's packages): each runs its launcher as an unprivileged user, and the producer, worker
 * and query API images carry a ride through the real broker and store.
 */
class ImagesIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The Dockerfile's targets and the ports each image declares. */
    private static final Map<String, List<String>> TARGETS = new LinkedHashMap<>();

    static {
        TARGETS.put("producer", List.of("8080/tcp", "8443/tcp", "9090/tcp"));
        TARGETS.put("consumer", List.of("9091/tcp"));
        TARGETS.put("query-api", List.of("8081/tcp", "9092/tcp"));
        TARGETS.put("simulator", List.of());
        TARGETS.put("ops", List.of());
    }

    private static final Map<String, String> images = new LinkedHashMap<>();
    private final List<String> containers = new ArrayList<>();

    @TempDir
    Path logs;

    @BeforeAll
    static void buildTheImages() throws Exception {
        Ran built = run(
                Duration.ofMinutes(15),
                "bash",
                RepositoryFiles.resolve("scripts/images").toString(),
                "--engine",
                "buildah",
                "--debian-jre");
        assertThat(built.exit())
                .as("scripts/images (buildah from Debian's apt, as scripts/test installs it):\n" + built.output())
                .isZero();
        for (String target : TARGETS.keySet()) {
            String image = built.output()
                    .lines()
                    .filter(line -> line.startsWith("liftline-" + target + ":"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(
                            "scripts/images did not name the " + target + " image:\n" + built.output()));
            images.put(target, image);
        }
    }

    @AfterEach
    void removeContainers() throws Exception {
        for (String container : containers) {
            run(Duration.ofMinutes(1), "buildah", "rm", container);
        }
    }

    @Test
    void everyImageRunsItsLauncherAsAnUnprivilegedUser() throws Exception {
        for (Map.Entry<String, List<String>> target : TARGETS.entrySet()) {
            String image = images.get(target.getKey());
            JsonNode config = JSON.readTree(run(Duration.ofMinutes(1), "buildah", "inspect", "--type", "image", image)
                            .output())
                    .path("OCIv1")
                    .path("config");
            assertThat(config.path("Entrypoint").toString())
                    .as(image)
                    .isEqualTo("[\"liftline-" + target.getKey() + "\"]");
            assertThat(config.path("User").asText()).as(image).isEqualTo("liftline");
            assertThat(config.path("WorkingDir").asText()).as(image).isEqualTo("/opt/liftline");
            List<String> ports = new ArrayList<>();
            config.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
            assertThat(ports).as(image + " exposes").containsExactlyInAnyOrderElementsOf(target.getValue());

            String container = container(image);
            assertThat(run(Duration.ofMinutes(1), "buildah", "run", container, "--", "id", "-un")
                            .output()
                            .strip())
                    .as("the user " + image + " runs as")
                    .isEqualTo("liftline");
        }
        // The tools' images answer --help through their launchers (Java found, jar found).
        for (String tool : List.of("simulator", "ops")) {
            Ran help = run(
                    Duration.ofMinutes(1),
                    "buildah",
                    "run",
                    container(images.get(tool)),
                    "--",
                    "liftline-" + tool,
                    "--help");
            assertThat(help.exit()).as(help.output()).isZero();
            assertThat(help.output()).contains("usage");
        }
    }

    @Test
    void theProducerWorkerAndQueryApiImagesRunThePipeline() throws Exception {
        Map<String, String> common = backends.environment();
        // buildah's chroot isolation shares the host's network: the containers reach the test's broker and store on
        // loopback, as --network host would.
        InstalledPipeline.Launcher inContainers = (app, env, log) -> {
            String image = images.get(app);
            List<String> command = new ArrayList<>(List.of("buildah", "run"));
            env.forEach((key, value) -> command.addAll(List.of("--env", key + "=" + value)));
            command.add(container(image));
            command.add("--");
            command.add("liftline-" + app); // the image's entrypoint, checked in the other test
            return buildah(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        };
        try (InstalledPipeline pipeline = new InstalledPipeline(inContainers, logs, common, Map.of())) {
            pipeline.awaitReady();
            for (InstalledPipeline.Launched app : pipeline.apps()) {
                assertThat(uid(app.jvm()))
                        .as(app.app() + "'s JVM runs as (uid)")
                        .isNotEqualTo("0");
                assertThat(app.jvmArguments())
                        .as(app.app() + ": the launcher's JVM options")
                        .contains("-XX:+UseSerialGC");
            }
            pipeline.carriesARideFromProducerToQueryApi();
            pipeline.stopsOnSigterm();
        }
    }

    private String container(String image) throws Exception {
        Ran from = run(Duration.ofMinutes(2), "buildah", "from", "--pull=never", "--quiet", image);
        assertThat(from.exit()).as(from.output()).isZero();
        String name =
                from.output().strip().lines().reduce((first, last) -> last).orElseThrow();
        containers.add(name);
        return name;
    }

    /** The real uid of a process (the container's user has no name on the host). */
    private static String uid(ProcessHandle process) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream()
                .filter(line -> line.startsWith("Uid:"))
                .map(line -> line.split("\\s+")[1])
                .findFirst()
                .orElseThrow();
    }

    private record Ran(int exit, String output) {}

    /** A command that sees the images scripts/images built: its storage driver and isolation, unless set. */
    private static ProcessBuilder buildah(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putIfAbsent("STORAGE_DRIVER", "vfs");
        builder.environment().putIfAbsent("BUILDAH_ISOLATION", "chroot");
        return builder;
    }

    /** Runs a command with the storage and isolation scripts/images uses, and returns its exit code and output. */
    private static Ran run(Duration timeout, String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("liftline-images", ".log");
        try {
            Process process = buildah(List.of(command))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout + ":\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Ran(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
