package io.liftline.service.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.service.JsonResponses;
import io.liftline.service.Routes;
import io.liftline.service.ServiceMetrics;
import io.liftline.testing.Poll;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared edge chain over a real socket: routes measured, rate limited, bodies read, as both services use it. */
class EdgeChainTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final Routes<String> ROUTES =
            new Routes<String>(r -> r, "POST").add("/small/{id}", "small").add("/large", "large");

    private final ServiceMetrics metrics = new ServiceMetrics();
    /** What the service behind the chain was handed: each request's path and body. */
    private final List<String> served = new CopyOnWriteArrayList<>();

    private int sent;
    private Server server;
    private int port;

    @BeforeEach
    void startAServiceBehindTheChain() throws Exception {
        Handler service = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Routes.Match<String> match = Routes.matched(request);
                if (!ROUTES.refused(match, request, response, callback)) {
                    served.add(match.route() + " " + new String(Bodies.of(request), StandardCharsets.UTF_8));
                    JsonResponses.json(response, callback, 201, Map.of("ok", true));
                }
                return true;
            }
        };
        Edge.Guard guard =
                new Edge.Guard(null, ApiKeys.Scope.INGEST, new RateLimits(1, 5), RateLimiting.Charge.REQUEST);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(Edge.chain(
                guard,
                ROUTES,
                metrics,
                request -> ROUTES.takes(request, "large") ? 100 : ROUTES.takes(request, "small") ? 10 : Bodies.IGNORED,
                service));
        server.start();
        port = connector.getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void aJsonBodyWithinItsRoutesLimitReachesTheServiceWhole() throws Exception {
        HttpResponse<String> response = post("/large", "application/json; charset=utf-8", "[1,2,3]");

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(served).containsExactly("large [1,2,3]");
        assertThat(count("large", 201)).isEqualTo(1);
    }

    @Test
    void aBodyThatIsNotJsonIs415AndNeverReachesTheService() throws Exception {
        HttpResponse<String> response = post("/large", "text/plain", "[1]");

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(response.body()).contains("Content-Type must be application/json, was 'text/plain'");
        assertThat(post("/large", null, "[1]").body()).contains("was absent");
        assertThat(served).isEmpty();
        assertThat(count("large", 415)).isEqualTo(2);
    }

    @Test
    void eachRouteHasItsOwnLimitDeclaredOrStreamed() throws Exception {
        String elevenBytes = "[1,2,3,4,5]";
        assertThat(post("/small/1", "application/json", elevenBytes).body()).contains(Bodies.tooLargeMessage(10));
        assertThat(post("/large", "application/json", elevenBytes).statusCode()).isEqualTo(201);

        // No Content-Length: the limit is found while the body streams in, and the rest is read before the answer.
        HttpResponse<String> chunked = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/large"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofString("x".repeat(1000))))
                .build());
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(chunked.body()).contains(Bodies.tooLargeMessage(100));
        assertThat(served).containsExactly("large " + elevenBytes);
        assertThat(count("small", 413)).isEqualTo(1);
        assertThat(count("large", 413)).isEqualTo(1);
    }

    @Test
    void aRequestWhoseBodyTheApiDoesNotReadPassesToTheServiceToBeRefused() throws Exception {
        HttpResponse<String> wrongMethod =
                send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/large"))
                        .method("PUT", HttpRequest.BodyPublishers.ofString("not json at all"))
                        .build());
        HttpResponse<String> nowhere = post("/nowhere", "text/plain", "x");

        assertThat(wrongMethod.statusCode())
                .as("405, not 415: the route decides first")
                .isEqualTo(405);
        assertThat(nowhere.statusCode()).isEqualTo(404);
        assertThat(nowhere.body()).contains("no such resource: /nowhere (POST /small/{id}, /large)");
        assertThat(count("large", 405)).isEqualTo(1);
        assertThat(count("unknown", 404)).isEqualTo(1);
        assertThat(served).isEmpty();
    }

    @Test
    void theEdgesOwnRefusalsAreMeasuredByRouteToo() throws Exception {
        int refused = 0;
        for (int i = 0; i < 20; i++) { // a burst of 5 at 1 a second: most of 20 at once are over it
            if (post("/small/" + i, "application/json", "{}").statusCode() == 429) {
                refused++;
            }
        }
        assertThat(refused).isPositive();
        assertThat(count("small", 429)).isEqualTo(refused);
        assertThat(count("small", 201)).isEqualTo(20 - refused);
    }

    /** The requests measured with this route and status, once the count stops short of none it should have. */
    private long count(String route, int status) {
        // The metric is recorded as the answer completes, a moment after the client has it.
        Poll.waitAtMost(Duration.ofSeconds(5), "requests measured", () -> measured() == sent);
        return measuredAs(route, status);
    }

    private long measured() {
        return metrics.registry().find("liftline.http.requests").timers().stream()
                .mapToLong(Timer::count)
                .sum();
    }

    private long measuredAs(String route, int status) {
        Timer timer = metrics.registry()
                .find("liftline.http.requests")
                .tags("route", route, "status", Integer.toString(status))
                .timer();
        return timer == null ? 0 : timer.count();
    }

    private HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(request.build());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        sent++;
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
