package io.liftline.consumer.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.liftline.management.PrometheusText;
import io.liftline.service.AdminHandler;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HealthServerTest {

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void theAdminPortListensOnlyOnItsBindAddressAndSaysWhyItIsNotReady() throws Exception {
        AtomicReference<String> reason = new AtomicReference<>("1 of 2 consumers subscribed");
        ConsumerMetrics metrics = new ConsumerMetrics();
        AdminHandler admin = new AdminHandler(reason::get, metrics);
        try (HealthServer server = new HealthServer("127.0.0.1", 0, admin)) {
            assertThatThrownBy(() -> new Socket("127.0.0.2", server.port()).close())
                    .isInstanceOf(ConnectException.class);
            HttpResponse<String> notReady = get(server, "/health/ready");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("\"reason\":\"1 of 2 consumers subscribed\"");
            assertThat(PrometheusText.value(get(server, "/metrics").body(), "liftline_ready"))
                    .isEqualTo(0.0);

            reason.set(null);
            assertThat(get(server, "/health/ready").statusCode()).isEqualTo(200);
            metrics.batchWritten(5, 4, 1, 1_000_000);
            String scraped = get(server, "/metrics").body();
            assertThat(PrometheusText.value(scraped, "liftline_ready")).isEqualTo(1.0);
            assertThat(PrometheusText.value(scraped, "liftline_rides_stored_total"))
                    .as("what the worker counts is served")
                    .isEqualTo(4.0);
            assertThat(PrometheusText.value(scraped, "liftline_rides_duplicates_total"))
                    .isEqualTo(1.0);

            admin.stopAccepting();
            assertThat(get(server, "/health/ready").body()).contains("shutting down");
        }
    }

    @Test
    void anythingElseIsAJsonError() throws Exception {
        try (HealthServer server =
                new HealthServer("127.0.0.1", 0, new AdminHandler(() -> null, new ConsumerMetrics()))) {
            HttpResponse<String> missing = get(server, "/rides");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
            assertThat(missing.body()).contains("/health/ready");
            HttpResponse<String> post = client.send(
                    HttpRequest.newBuilder(uri(server, "/health/ready"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).hasValue("GET");
        }
    }

    private HttpResponse<String> get(HealthServer server, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(server, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(HealthServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
