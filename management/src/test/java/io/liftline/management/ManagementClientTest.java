package io.liftline.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ManagementClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private HttpServer server;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private volatile int status = 200;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            String credentials = new String(
                    Base64.getDecoder().decode(authorization.substring("Basic ".length())), StandardCharsets.UTF_8);
            seen.add(
                    exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + " as " + credentials);
            byte[] body = (status == 200 ? "[{\"name\":\"lift-rides\"}]" : "{\"error\":\"not_found\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void percentDecodesCredentialsAndKeepsAPlusAPlus() {
        ManagementClient client =
                ManagementClient.of(URI.create(base().replace("://", "://ops%40resort:p+ss%3Aw@")), TIMEOUT);

        client.queues("/", "name");

        assertThat(seen).containsExactly("GET /api/queues/%2F as ops@resort:p+ss:w");
    }

    @Test
    void usesGuestWhenTheUriNamesNoUserAndTheVhostItsPathNames() {
        ManagementClient client = ManagementClient.of(URI.create(base() + "/resort%2Fa"), TIMEOUT);

        assertThat(client.vhost()).isEqualTo("resort/a");
        client.queue(client.vhost(), "lift rides");

        assertThat(seen).containsExactly("GET /api/queues/resort%2Fa/lift%20rides as guest:guest");
        assertThat(ManagementClient.of(URI.create(base()), TIMEOUT).vhost()).isEqualTo("/");
    }

    @Test
    void anErrorStatusIsAManagementExceptionWithTheStatusAndNoPassword() {
        status = 404;
        ManagementClient client = ManagementClient.of(URI.create(base().replace("://", "://ops:secret@")), TIMEOUT);

        assertThatThrownBy(() -> client.queue("/", "nothing"))
                .isInstanceOfSatisfying(
                        ManagementException.class, e -> assertThat(e.status()).isEqualTo(404))
                .hasMessageContaining("GET /api/queues/%2F/nothing answered 404")
                .hasMessageNotContaining("secret");
    }

    @Test
    void anApiThatDoesNotAnswerIsAManagementExceptionWithoutAStatus() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        ManagementClient client = ManagementClient.of(URI.create("http://127.0.0.1:" + closed), TIMEOUT);

        assertThatThrownBy(() -> client.get("/api/overview"))
                .isInstanceOfSatisfying(
                        ManagementException.class, e -> assertThat(e.status()).isEqualTo(-1))
                .hasMessageContaining("does not answer");
    }

    @Test
    void refusesAUriThatIsNotHttp() {
        assertThatThrownBy(() -> ManagementClient.of(URI.create("amqp://guest:guest@127.0.0.1:5672"), TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("guest");
    }
}
