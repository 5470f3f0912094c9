package io.liftline.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;

class AdminHandlerTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void readinessFollowsTheServiceAndShutdownAndShowsInTheMetrics() throws Exception {
        AtomicReference<String> reason = new AtomicReference<>();
        ServiceMetrics metrics = new ServiceMetrics();
        AdminHandler admin = new AdminHandler(reason::get, metrics);
        Server server = new Server();
        server.addConnector(
                Connectors.named(server, "api", "127.0.0.1", 0, Duration.ofSeconds(5), new HttpConnectionFactory()));
        server.addConnector(Connectors.named(
                server, Connectors.ADMIN, "127.0.0.1", 0, Duration.ofSeconds(5), new HttpConnectionFactory()));
        Handler api = new Handler.Abstract() {
            @Override
            public boolean handle(
                    org.eclipse.jetty.server.Request request,
                    org.eclipse.jetty.server.Response response,
                    org.eclipse.jetty.util.Callback callback) {
                org.eclipse.jetty.server.Response.writeError(request, response, callback, HttpStatus.IM_A_TEAPOT_418);
                return true;
            }
        };
        server.setHandler(new Handler.Sequence(Connectors.only(Connectors.ADMIN, admin), api));
        server.start();
        try {
            int port = Connectors.localPort(server, Connectors.ADMIN);
            assertThat(Connectors.describe(server)).startsWith("api 127.0.0.1:").contains("admin 127.0.0.1:" + port);
            assertThat(get(port, "/health/ready").body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(get(port, "/metrics").body()).contains("liftline_ready 1.0");

            reason.set("store unavailable");
            HttpResponse<String> down = get(port, "/health/ready");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("\"reason\":\"store unavailable\"", "\"status\":\"DOWN\"");
            assertThat(get(port, "/metrics").body()).contains("liftline_ready 0.0");

            reason.set(null);
            admin.stopAccepting();
            assertThat(get(port, "/health/ready").body()).contains("shutting down");
            assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
            assertThat(get(port, "/nope").statusCode()).isEqualTo(404);
            HttpResponse<String> post = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).hasValue("GET");
            assertThat(get(Connectors.localPort(server, "api"), "/health/ready").statusCode())
                    .as("the public port does not serve the admin routes")
                    .isEqualTo(418);
            assertThat(Connectors.localPort(server, "none")).isEqualTo(-1);
        } finally {
            server.stop();
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
