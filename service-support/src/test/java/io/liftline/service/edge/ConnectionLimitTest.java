package io.liftline.service.edge;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.runtime.Values;
import io.liftline.service.Connectors;
import io.liftline.service.JsonResponses;
import io.liftline.testing.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The edge's connection limit over real sockets: a burst of idle connections cannot keep a real request out. */
class ConnectionLimitTest {

    private static final int LIMIT = 20;
    /** Far longer than the client waits: a request answered at all was let in by the limit's short idle timeout. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(120);

    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

    private final List<Socket> idle = new ArrayList<>();
    private Server server;

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : idle) {
            socket.close();
        }
        server.stop();
    }

    @Test
    void aBurstOfIdleConnectionsAtTheLimitMakesRoomForARealRequest() throws Exception {
        start();
        int port = Connectors.localPort(server, Edge.PLAIN);
        for (int i = 0; i < 2 * LIMIT; i++) { // beyond the limit, connections wait in the kernel's backlog
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            idle.add(socket);
        }

        assertThat(get(port).statusCode()).isEqualTo(200);
        assertThat(get(Connectors.localPort(server, Connectors.ADMIN)).statusCode())
                .as("the admin port is outside the limit")
                .isEqualTo(200);
    }

    @Test
    void belowTheLimitAnIdleConnectionKeepsTheConfiguredIdleTimeout() throws Exception {
        start();
        int port = Connectors.localPort(server, Edge.PLAIN);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            // Past the limit's short idle timeout, a connection the limit never touched still serves a request.
            socket.setSoTimeout((int) CLIENT_TIMEOUT.toMillis());
            Thread.sleep(3 * Edge.LIMITED_IDLE_TIMEOUT_MS); // time itself must pass: nothing to poll for
            socket.getOutputStream()
                    .write("GET /any HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(US_ASCII));
            String status = new String(socket.getInputStream().readNBytes(12), US_ASCII);
            assertThat(status).isEqualTo("HTTP/1.1 200");
        }
    }

    @Test
    void aStopThatBeginsAtTheLimitStillClosesIdleConnectionsWithinItsTimeout() throws Exception {
        start();
        ServerConnector connector = Connectors.connector(server, Edge.PLAIN);
        int port = connector.getLocalPort();
        for (int i = 0; i < LIMIT; i++) {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            idle.add(socket);
        }
        Poll.waitAtMost(
                Duration.ofSeconds(10),
                "the limit reached",
                () -> !connector.isAccepting()
                        && connector.getConnectedEndPoints().size() == LIMIT);

        // The stop gives the idle connections its short idle timeout; then one closes, the limit clears, and Jetty
        // gives the others the connector's (120 s) back: the stop waited out its own timeout and threw.
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
            try {
                server.stop();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        Poll.waitAtMost(Duration.ofSeconds(10), "the stop begun", connector::isShutdown);
        idle.get(0).close();

        assertThat(stopping).as("stopped within the stop timeout").succeedsWithin(CLIENT_TIMEOUT);
        assertThat(server.isStopped()).isTrue();
    }

    private void start() throws Exception {
        EdgeSettings settings = EdgeSettings.of(
                Values.defaults().set(EdgeSettings.MAX_CONNECTIONS, LIMIT).set(EdgeSettings.IDLE_TIMEOUT, IDLE_TIMEOUT),
                new EdgeSettings.Ports(0, 0, 0));
        Handler ok = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                JsonResponses.json(response, callback, 200, Map.of("ok", true));
                return true;
            }
        };
        server = Edge.server(settings, ok, ok);
        server.start();
    }

    private static HttpResponse<String> get(int port) throws Exception {
        // A fresh client each time: the request must come in on a new connection, behind the idle ones.
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(CLIENT_TIMEOUT).build();
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/any"))
                        .timeout(CLIENT_TIMEOUT)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
