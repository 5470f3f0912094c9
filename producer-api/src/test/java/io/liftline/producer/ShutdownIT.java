package io.liftline.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.broker.Topology;
import io.liftline.model.RideJson;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.runtime.Values;
import io.liftline.service.edge.EdgeSettings;
import io.liftline.testing.Poll;
import io.liftline.testing.RabbitVhost;
import io.liftline.testing.TcpProxy;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ShutdownIT {

    @RegisterExtension
    static final RabbitVhost rabbit = new RabbitVhost();

    private static final int IN_FLIGHT = 20;

    @Test
    void shutdownWaitsForTheConfirmsOfRequestsInFlightAndAnswersThem201() throws Exception {
        try (TcpProxy proxy = rabbit.proxy()) {
            ProducerApp producer = ProducerApp.start(ProducerConfig.of(Values.defaults()
                    .set(ProducerConfig.AMQP_URI, rabbit.amqpUriThrough(proxy))
                    .set(ProducerConfig.HTTP_PORT, 0)
                    .set(ProducerConfig.ADMIN_PORT, 0)
                    .set(ProducerConfig.PUBLISH_TIMEOUT, Duration.ofSeconds(20))
                    .set(EdgeSettings.SHUTDOWN_TIMEOUT, Duration.ofSeconds(20))));
            assertThat(producer.awaitBroker(Duration.ofSeconds(10))).isTrue();
            ProducerClient client = new ProducerClient(producer.port());
            HttpClient async =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

            proxy.pauseReplies(); // the broker stores the messages, but its confirms are held back
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < IN_FLIGHT; i++) {
                HttpRequest request = client.request(ProducerClient.RIDE_PATH)
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", "drain-" + i)
                        .POST(HttpRequest.BodyPublishers.ofString(ProducerClient.RIDE_BODY))
                        .build();
                answers.add(async.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            Poll.waitAtMost(
                    Duration.ofSeconds(10),
                    IN_FLIGHT + " publishes awaiting confirms",
                    () -> producer.inFlightPublishes() == IN_FLIGHT);

            CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
                try {
                    producer.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500);
            assertThat(closed).as("close() waits for the confirms in flight").isNotDone();
            assertThat(answers)
                    .as("no request in flight is answered before its confirm")
                    .noneMatch(CompletableFuture::isDone);

            proxy.resume();
            closed.get(30, TimeUnit.SECONDS);
            Set<String> accepted = new HashSet<>();
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get(5, TimeUnit.SECONDS);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
                accepted.add(RideJson.MAPPER
                        .readTree(response.body())
                        .path("eventId")
                        .asText());
            }
            assertThat(accepted).hasSize(IN_FLIGHT);
            assertThat(queuedIds()).containsAll(accepted);
        }
    }

    private static Set<String> queuedIds() {
        return rabbit.takeMessageIds(Topology.QUEUE);
    }
}
