package io.liftline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.liftline.broker.BrokerClients;
import io.liftline.management.ManagementClient;
import io.liftline.management.ManagementException;
import io.liftline.model.RideJson;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A vhost of its own for one test class, with the policies of {@code rabbitmq/definitions.json}, deleted
 * afterwards: test classes share one broker but never each other's queues or messages.
 *
 * <pre>{@code @RegisterExtension static final RabbitVhost rabbit = new RabbitVhost();}</pre>
 */
public final class RabbitVhost implements BeforeAllCallback, AfterAllCallback {

    private TestBroker.Endpoint endpoint;
    private ManagementClient management;
    private String vhost;
    private final List<Connection> connections = new ArrayList<>();
    private Connection shared;
    private final Map<String, String> userUris = new LinkedHashMap<>();

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        endpoint = TestBroker.endpoint();
        management = ManagementClient.of(
                endpoint.managementUri(), endpoint.username(), endpoint.password(), Duration.ofSeconds(10));
        vhost = "liftline-test-"
                + context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT) + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        try {
            management.createVhost(vhost);
        } catch (ManagementException e) {
            throw new AssertionError(
                    e.getMessage() + "; the test harness needs the management API for per-class vhosts."
                            + " scripts/test enables it, or set LIFTLINE_AMQP_MANAGEMENT_URI",
                    e);
        }
        management.setPermissions(vhost, endpoint.username(), ".*", ".*", ".*");
        JsonNode definitions =
                RideJson.MAPPER.readTree(Files.readAllBytes(RepositoryFiles.resolve("rabbitmq/definitions.json")));
        for (JsonNode policy : definitions.path("policies")) {
            management.putPolicy(vhost, policy);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        for (Connection connection : connections) {
            try {
                connection.close();
            } catch (Exception ignored) {
                // the vhost goes away next, which closes whatever is left
            }
        }
        if (vhost != null) {
            management.deleteVhost(vhost);
        }
        userUris.keySet().forEach(name -> management.deleteUser(vhost + "." + name));
    }

    public String vhost() {
        return vhost;
    }

    /** The AMQP URI of this class's vhost, with credentials, as the applications take it. */
    public String amqpUri() {
        URI base = endpoint.amqpUri();
        try {
            return new URI(base.getScheme(), base.getUserInfo(), base.getHost(), base.getPort(), null, null, null) + "/"
                    + URLEncoder.encode(vhost, StandardCharsets.UTF_8);
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A user with the permissions rabbitmq/users.json gives {@code name} (e.g. liftline-producer), on this vhost
     * only, named after the vhost so that the broker's real user is left alone; deleted after the class.
     *
     * @return the AMQP URI that connects as that user
     */
    public synchronized String amqpUriAs(String name) throws IOException {
        if (userUris.containsKey(name)) {
            return userUris.get(name);
        }
        JsonNode permissions = null;
        for (JsonNode p : RideJson.MAPPER
                .readTree(Files.readAllBytes(RepositoryFiles.resolve("rabbitmq/users.json")))
                .path("permissions")) {
            if (p.path("user").asText().equals(name)) {
                permissions = p;
            }
        }
        if (permissions == null) {
            throw new IllegalArgumentException("rabbitmq/users.json has no permissions for " + name);
        }
        String user = vhost + "." + name;
        String password =
                Integer.toHexString(ThreadLocalRandom.current().nextInt()) + Long.toHexString(System.nanoTime());
        management.putUser(user, password, "");
        management.setPermissions(
                vhost,
                user,
                permissions.path("configure").asText(),
                permissions.path("write").asText(),
                permissions.path("read").asText());
        URI base = endpoint.amqpUri();
        try {
            String uri =
                    new URI(base.getScheme(), user + ":" + password, base.getHost(), base.getPort(), null, null, null)
                            + "/" + URLEncoder.encode(vhost, StandardCharsets.UTF_8);
            userUris.put(name, uri);
            return uri;
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The AMQP URI of this class's vhost reached through a proxy on another port, so a test can cut the
     * application off the broker ({@link TcpProxy#cut()}) without stopping the shared broker.
     */
    public String amqpUriThrough(TcpProxy proxy) {
        URI base = endpoint.amqpUri();
        try {
            return new URI(base.getScheme(), base.getUserInfo(), "127.0.0.1", proxy.port(), null, null, null) + "/"
                    + URLEncoder.encode(vhost, StandardCharsets.UTF_8);
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** A proxy in front of the broker, for {@link #amqpUriThrough}; close it after the test. */
    public TcpProxy proxy() throws IOException {
        URI base = endpoint.amqpUri();
        return new TcpProxy(base.getHost(), base.getPort() < 0 ? 5672 : base.getPort());
    }

    /** A new connection to this class's vhost, closed after the class. */
    public synchronized Connection newConnection() {
        try {
            Connection connection = BrokerClients.connect(amqpUri(), "liftline-test");
            connections.add(connection);
            return connection;
        } catch (Exception e) {
            throw new AssertionError("cannot connect to the test vhost " + vhost, e);
        }
    }

    /** One shared connection for the test's own inspection of queues; reopened if something closed it. */
    public synchronized Connection connection() {
        if (shared == null || !shared.isOpen()) {
            shared = newConnection();
        }
        return shared;
    }

    /** Takes every ready message off a queue of this vhost (acked): their message ids, the producers' event ids. */
    public Set<String> takeMessageIds(String queue) {
        Set<String> ids = new HashSet<>();
        try (Channel channel = connection().createChannel()) {
            for (var m = channel.basicGet(queue, true); m != null; m = channel.basicGet(queue, true)) {
                ids.add(m.getProps().getMessageId());
            }
        } catch (Exception e) {
            throw new AssertionError("cannot read the messages of queue " + queue, e);
        }
        return ids;
    }

    /** Messages ready in a queue of this vhost (not counting unacknowledged ones). */
    public long readyMessages(String queue) {
        try (Channel channel = connection().createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (Exception e) {
            throw new AssertionError("cannot read the depth of queue " + queue, e);
        }
    }

    /** Messages in a queue of this vhost, ready and unacknowledged, as the management API counts them (it lags). */
    public long messages(String queue) {
        return management.queue(vhost(), queue).path("messages").asLong();
    }

    public ManagementClient management() {
        return management;
    }
}
