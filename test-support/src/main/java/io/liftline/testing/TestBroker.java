package io.liftline.testing;

import com.rabbitmq.client.Connection;
import io.liftline.broker.BrokerClients;
import io.liftline.runtime.Secrets;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.rabbitmq.RabbitMQContainer;

/**
 * The one broker of a test JVM: {@code LIFTLINE_AMQP_URI} if set; else a Testcontainers RabbitMQ when
 * Docker is available; else the local broker on 127.0.0.1:5672. When none answers, every test that needs
 * it fails, quickly and saying how to provide one. It never skips: a skipped broker test hides lost data.
 */
public final class TestBroker {

    /** Where the broker is, and how the test harness reaches its management API. */
    public record Endpoint(URI amqpUri, URI managementUri, String username, String password, String source) {
        @Override
        public String toString() {
            return source + " " + Secrets.maskUri(amqpUri.toString()) + " (management " + managementUri + ")";
        }
    }

    static final String LOCAL_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672";
    private static final Logger log = LoggerFactory.getLogger(TestBroker.class);
    private static final String IMAGE = "rabbitmq:3.13-management";

    private static Endpoint endpoint;
    private static AssertionError failure;
    private static RabbitMQContainer container;

    private TestBroker() {}

    /** The broker, resolved and checked once per JVM; throws the same AssertionError to every caller when none answers. */
    public static synchronized Endpoint endpoint() {
        if (failure != null) {
            throw failure;
        }
        if (endpoint == null) {
            try {
                endpoint = resolve(System::getenv, TestBroker::dockerAvailable);
                requireAnswers(endpoint);
                log.info("test broker: {}", endpoint);
            } catch (AssertionError e) {
                failure = e;
                throw e;
            }
        }
        return endpoint;
    }

    static Endpoint resolve(Function<String, String> env, BooleanSupplier dockerAvailable) {
        String explicit = env.apply("LIFTLINE_AMQP_URI");
        if (explicit != null && !explicit.isBlank()) {
            return fromUri(explicit, env.apply("LIFTLINE_AMQP_MANAGEMENT_URI"), "LIFTLINE_AMQP_URI");
        }
        if (dockerAvailable.getAsBoolean()) {
            container = new RabbitMQContainer(IMAGE);
            container.start();
            return new Endpoint(
                    URI.create(container.getAmqpUrl()),
                    URI.create(container.getHttpUrl()),
                    container.getAdminUsername(),
                    container.getAdminPassword(),
                    "Testcontainers RabbitMQ");
        }
        return fromUri(LOCAL_AMQP_URI, null, "local broker");
    }

    private static Endpoint fromUri(String amqp, String management, String source) {
        try {
            URI uri = new URI(amqp);
            String userInfo = uri.getUserInfo() == null ? "guest:guest" : uri.getUserInfo();
            int colon = userInfo.indexOf(':');
            String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
            String password = colon < 0 ? "" : userInfo.substring(colon + 1);
            URI managementUri = management == null || management.isBlank()
                    ? new URI("http", null, uri.getHost(), 15672, "/", null, null)
                    : URI.create(management);
            URI base = new URI(uri.getScheme(), uri.getUserInfo(), uri.getHost(), uri.getPort(), null, null, null);
            return new Endpoint(base, managementUri, user, password, source);
        } catch (URISyntaxException e) {
            throw new AssertionError(source + " is not a valid URI: " + Secrets.maskUri(amqp), e);
        }
    }

    /**
     * Raises (or clears) a memory alarm on the broker, which then blocks every publishing connection. Always
     * clear it in a finally. Works on the local broker (rabbitmqctl) and on a Testcontainers broker.
     */
    public static void memoryAlarm(boolean on) throws IOException, InterruptedException {
        rabbitmqctl("set_vm_memory_high_watermark", on ? "0" : "0.4");
    }

    /**
     * Raises (or clears) a disk alarm: a free-disk limit far above what any machine has. Clear it in a finally.
     */
    public static void diskAlarm(boolean on) throws IOException, InterruptedException {
        rabbitmqctl("set_disk_free_limit", on ? "100000GB" : "50MB");
    }

    /**
     * Stops the broker application ({@code rabbitmqctl stop_app}), keeps it down for {@code down}, then starts it
     * again and waits until it answers AMQP: what an operator's restart looks like to every client.
     */
    public static void restart(Duration down) throws IOException, InterruptedException {
        rabbitmqctl("stop_app");
        try {
            Thread.sleep(down.toMillis());
        } finally {
            start();
        }
    }

    /**
     * Kills the local broker's Erlang VM with SIGKILL (no clean shutdown), keeps it down for {@code down}, then
     * starts it again ({@code rabbitmq-server -detached}) and waits until it answers AMQP. Local broker only.
     */
    public static void kill9AndStart(Duration down) throws IOException, InterruptedException {
        if (container != null || !endpoint().source().equals("local broker")) {
            throw new AssertionError("only the local broker can be killed and started again, not " + endpoint);
        }
        String pid =
                command(List.of("rabbitmqctl", "-q", "eval", "os:getpid().")).replaceAll("[^0-9]", "");
        command(List.of("kill", "-9", pid));
        Thread.sleep(down.toMillis());
        // -detached returns at once (and fails while the old node's name is still registered: then retry)
        Poll.waitAtMost(Duration.ofSeconds(60), "the broker started again", () -> {
            new ProcessBuilder(sudo(List.of("rabbitmq-server", "-detached")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor();
            for (int i = 0; i < 50; i++) {
                try {
                    requireAnswers(endpoint);
                    return true;
                } catch (AssertionError notYet) {
                    Thread.sleep(200);
                }
            }
            return false;
        });
        command(List.of("rabbitmqctl", "-q", "await_startup", "--timeout", "60"));
    }

    /** {@code rabbitmqctl start_app} (a no-op on a running node), then waits until the broker answers AMQP. */
    public static void start() throws IOException, InterruptedException {
        rabbitmqctl("start_app");
        Poll.waitAtMost(Duration.ofSeconds(60), "the broker answers again after its restart", () -> {
            try {
                requireAnswers(endpoint);
                return true;
            } catch (AssertionError notYet) {
                return false;
            }
        });
    }

    /**
     * Runs {@code rabbitmqctl} against the test broker: the local one (as root, or through sudo) or the
     * Testcontainers one. A broker named by {@code LIFTLINE_AMQP_URI} cannot be controlled: the test fails.
     */
    public static synchronized void rabbitmqctl(String... args) throws IOException, InterruptedException {
        if (container != null) {
            List<String> command = new ArrayList<>(List.of("rabbitmqctl"));
            command.addAll(List.of(args));
            var result = container.execInContainer(command.toArray(String[]::new));
            if (result.getExitCode() != 0) {
                throw new AssertionError("rabbitmqctl in the container failed: " + result.getStderr());
            }
            return;
        }
        if (endpoint() != null && !endpoint.source().equals("local broker")) {
            throw new AssertionError("rabbitmqctl can only reach the local or a Testcontainers broker, not " + endpoint
                    + "; run this test against one of those");
        }
        List<String> command = new ArrayList<>(List.of("rabbitmqctl", "-q"));
        command.addAll(List.of(args));
        command(command);
    }

    private static List<String> sudo(List<String> command) {
        if ("root".equals(System.getProperty("user.name"))) {
            return command;
        }
        List<String> withSudo = new ArrayList<>(List.of("sudo", "-n"));
        withSudo.addAll(command);
        return withSudo;
    }

    /** Runs a command as root (directly, or through sudo) and returns its output; fails the test if it fails. */
    private static String command(List<String> command) throws IOException, InterruptedException {
        List<String> full = sudo(command);
        return Commands.succeed(new ProcessBuilder(full), Duration.ofSeconds(90));
    }

    /** Opens and closes one connection, so a missing broker fails here, fast, instead of hanging a test. */
    static void requireAnswers(Endpoint endpoint) {
        try {
            Connection probe = BrokerClients.connect(endpoint.amqpUri().toString(), "liftline-test-probe");
            probe.close();
        } catch (Exception e) {
            throw new AssertionError(
                    "No RabbitMQ broker answers at "
                            + Secrets.maskUri(endpoint.amqpUri().toString())
                            + " (" + endpoint.source() + "): " + e
                            + ". Provide one: run scripts/test (installs and starts "
                            + "a local RabbitMQ), or start Docker, or set LIFTLINE_AMQP_URI.",
                    e);
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
