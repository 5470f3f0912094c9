package io.liftline.consumer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.liftline.broker.Topology;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.management.PrometheusText;
import io.liftline.model.RideJson;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PoisonAndRedeliveryIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    private static ConsumerApp consumer;

    @BeforeAll
    static void startConsumer() throws Exception {
        consumer = ConsumerApp.start(ConsumerConfig.of(TestWorkers.settings(backends)
                .set(ConsumerConfig.ADMIN_PORT, 0)
                .set(ConsumerConfig.CONSUMERS, 1)
                .set(ConsumerConfig.BATCH_SIZE, 50)
                .set(ConsumerConfig.BATCH_TIMEOUT, Duration.ofMillis(500))));
        Poll.waitAtMost(Duration.ofSeconds(20), "consumer subscribed", () -> consumer.notReadyReason() == null);
    }

    @AfterAll
    static void stopConsumer() throws Exception {
        consumer.close();
    }

    private static MongoCollection<Document> rides() {
        return backends.mongo().database().getCollection("rides");
    }

    @Test
    void eachKindOfPoisonIsDeadLetteredWithItsReasonWhileTheGoodRidesOfTheBatchAreStored() throws Exception {
        // One batch (a long batch timeout gathers them all): good rides around every kind of poison.
        Rides.publish(backends.rabbit().connection(), List.of("good-0", "good-1"));
        Rides.publishRaw(backends.rabbit().connection(), "bad-json", 1, "{\"eventId\": ".getBytes(UTF_8));
        Rides.publishRaw(
                backends.rabbit().connection(), "bad-version", 2, RideJson.toMessage(Rides.ride("bad-version", 1)));
        Rides.publishRaw(
                backends.rabbit().connection(), "no-version", null, RideJson.toMessage(Rides.ride("no-version", 1)));
        Rides.publishRaw(
                backends.rabbit().connection(),
                "bad-range",
                1,
                new String(RideJson.toMessage(Rides.ride("bad-range", 1)), UTF_8)
                        .replaceFirst("\"liftId\":\\d+", "\"liftId\":99")
                        .getBytes(UTF_8));
        Rides.publishRaw(
                backends.rabbit().connection(),
                "bad-field",
                1,
                "{\"eventId\":\"bad-field\",\"resortId\":1}".getBytes(UTF_8));
        Rides.publish(backends.rabbit().connection(), List.of("good-2"));

        Poll.waitAtMost(
                Duration.ofSeconds(20),
                "the good rides stored",
                () -> rides().countDocuments(Filters.regex("_id", "^good-")) == 3);
        Map<String, GetResponse> dead = Poll.waitAtMost(
                Duration.ofSeconds(20), "5 dead letters", PoisonAndRedeliveryIT::deadLetters, d -> d.size() == 5);

        assertThat(reason(dead, "bad-json")).isEqualTo("malformed-json");
        assertThat(reason(dead, "bad-version")).isEqualTo("unsupported-schema-version");
        assertThat(reason(dead, "no-version")).isEqualTo("unsupported-schema-version");
        assertThat(reason(dead, "bad-range")).isEqualTo("invalid-ride");
        assertThat(reason(dead, "bad-field")).isEqualTo("invalid-ride");
        Map<String, Object> headers = dead.get("bad-range").getProps().getHeaders();
        assertThat(headers.get("x-liftline-detail").toString()).isEqualTo("liftID must be in 1..40, was 99");
        assertThat(headers.get("x-liftline-source-queue").toString()).isEqualTo(Topology.QUEUE);
        assertThat(headers.get("x-liftline-source-exchange").toString()).isEqualTo(Topology.EXCHANGE);
        assertThat(headers.get("x-liftline-dead-lettered-at").toString()).isNotBlank();
        assertThat(new String(dead.get("bad-json").getBody(), UTF_8))
                .as("the original body, untouched")
                .isEqualTo("{\"eventId\": ");
        assertThat(rides().countDocuments(Filters.regex("_id", "^(bad|no)-"))).isZero();
        assertThat(backends.rabbit().readyMessages(Topology.QUEUE))
                .as("everything settled")
                .isZero();
        assertThat(consumer.metrics().scrape())
                .contains("liftline_rides_dead_lettered_total{reason=\"invalid-ride\"} 2.0");
    }

    @Test
    void ridesDeliveredAgainAreNotStoredTwice() throws Exception {
        List<String> ids = Rides.ids("again", 200);
        Rides.publish(backends.rabbit().connection(), ids);
        Poll.waitAtMost(
                Duration.ofSeconds(30),
                "first delivery stored",
                () -> rides().countDocuments(Filters.regex("_id", "^again-")) == 200);
        double duplicatesBefore = consumer.metrics().duplicateCount();
        long deadBefore = backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE);

        Rides.publish(backends.rabbit().connection(), ids); // a producer retry, or a replay: the same event ids again

        Poll.waitAtMost(
                Duration.ofSeconds(30),
                "the copies recognised as duplicates",
                () -> consumer.metrics().duplicateCount() - duplicatesBefore == 200);
        assertThat(rides().countDocuments(Filters.regex("_id", "^again-"))).isEqualTo(200);
        assertThat(backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE))
                .as("duplicates are not poison")
                .isEqualTo(deadBefore);
    }

    @Test
    void metricsAndHealthAreServedOnTheAdminPort() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + consumer.adminPort();
        HttpResponse<String> ready = http.send(
                HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"UP\"}");
        URI scrape = URI.create(base + "/metrics");
        String before = http.send(HttpRequest.newBuilder(scrape).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        Rides.publish(backends.rabbit().connection(), Rides.ids("scraped", 3));
        // Values that moved with the three rides, not names: the meters exist from the start.
        String after = Poll.waitAtMost(
                Duration.ofSeconds(20),
                "the three rides counted on /metrics",
                () -> http.send(HttpRequest.newBuilder(scrape).build(), HttpResponse.BodyHandlers.ofString())
                        .body(),
                m -> PrometheusText.value(m, "liftline_rides_stored_total")
                        >= PrometheusText.value(before, "liftline_rides_stored_total") + 3);
        assertThat(PrometheusText.value(after, "liftline_batch_size_count"))
                .as("a batch written")
                .isGreaterThan(PrometheusText.value(before, "liftline_batch_size_count"));
        assertThat(PrometheusText.value(after, "liftline_store_write_seconds_count"))
                .as("the write timed")
                .isGreaterThan(PrometheusText.value(before, "liftline_store_write_seconds_count"));
        assertThat(PrometheusText.value(after, "liftline_store_retries_total"))
                .as("a store that answers is not retried")
                .isEqualTo(PrometheusText.value(before, "liftline_store_retries_total"));
        HttpResponse<String> wrongMethod = http.send(
                HttpRequest.newBuilder(URI.create(base + "/metrics"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
    }

    private static Map<String, GetResponse> deadLetters() throws Exception {
        Map<String, GetResponse> byId = new HashMap<>();
        try (Channel channel = backends.rabbit().connection().createChannel()) {
            // Peek without taking: get, then reject back to the queue.
            for (GetResponse m = channel.basicGet(Topology.DEAD_LETTER_QUEUE, false);
                    m != null;
                    m = channel.basicGet(Topology.DEAD_LETTER_QUEUE, false)) {
                byId.put(m.getProps().getMessageId(), m);
            }
        }
        return byId;
    }

    private static String reason(Map<String, GetResponse> dead, String id) {
        assertThat(dead).containsKey(id);
        return String.valueOf(dead.get(id).getProps().getHeaders().get("x-liftline-reason"));
    }
}
