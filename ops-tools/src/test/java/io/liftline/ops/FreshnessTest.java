package io.liftline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreshnessTest {

    private static final String METRICS = """
            # HELP liftline_ride_lag_recent_seconds from a ride's 201 at the producer (receivedAt) to its acknowledged write
            # TYPE liftline_ride_lag_recent_seconds summary
            liftline_ride_lag_recent_seconds{quantile="0.5"} 0.1234567
            liftline_ride_lag_recent_seconds{quantile="0.99"} 2.5
            liftline_ride_lag_seconds_count 1200.0
            liftline_ride_lag_recent_seconds_max 3.75
            liftline_rides_stored_total 1200.0
            """;

    @Test
    void eachWorkerRowShowsItsLagPercentilesAndOneThatDoesNotAnswerSaysSo() throws Exception {
        HttpServer worker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        worker.createContext("/metrics", exchange -> {
            byte[] body = METRICS.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        worker.start();
        try {
            URI up = URI.create("http://127.0.0.1:" + worker.getAddress().getPort());
            URI gone = URI.create("http://127.0.0.1:" + io.liftline.testing.Ports.free());
            Table table = new Freshness(List.of(up, gone)).snapshot();

            assertThat(table.rows()).hasSize(2);
            assertThat(table.rows().get(0))
                    .containsEntry("lag p50 s", 0.123)
                    .containsEntry("lag p99 s", 2.5)
                    .containsEntry("lag max s", 3.75)
                    .containsEntry("rides stored", 1200.0);
            assertThat(table.rows().get(1)).containsEntry("lag p50 s", "unreachable");
        } finally {
            worker.stop(0);
        }
    }

    @Test
    void aWorkerThatStoredNothingYetShowsDashes() {
        assertThat(Freshness.value("liftline_rides_stored_total 0.0\n", "liftline_ride_lag_recent_seconds_max"))
                .isEqualTo("-");
        assertThat(Freshness.value(
                        "liftline_ride_lag_seconds{quantile=\"0.99\"} NaN\n",
                        "liftline_ride_lag_seconds{quantile=\"0.99\"}"))
                .isEqualTo("-");
    }
}
