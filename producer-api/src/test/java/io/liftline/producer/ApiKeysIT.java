package io.liftline.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.liftline.broker.Topology;
import io.liftline.model.RideJson;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.runtime.Values;
import io.liftline.service.edge.EdgeSettings;
import io.liftline.testing.Poll;
import io.liftline.testing.RabbitVhost;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Scanners authenticate with API keys; a key covers some resorts, or all. */
class ApiKeysIT {

    @RegisterExtension
    static final RabbitVhost rabbit = new RabbitVhost();

    private static final String GATE7 = "ll_gate7-secret-key-0123456789abcdef";
    private static final String OPS = "ll_ops-secret-key-fedcba9876543210";
    private static final String ANALYST = "ll_analyst-secret-key-0123456789";
    private static Path keys;
    private static ProducerApp producer;
    private static ProducerClient client;

    static String sha256(String key) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    @BeforeAll
    static void startProducerWithKeys() throws Exception {
        keys = Files.createTempFile("liftline-keys", ".txt");
        Files.writeString(
                keys,
                "# client keys\n" + sha256(GATE7) + " gate7 3,4\n" + sha256(OPS) + " ops *\n" + sha256(ANALYST)
                        + " analyst-3 3 read\n");
        producer = ProducerApp.start(ProducerConfig.of(Values.defaults()
                .set(ProducerConfig.AMQP_URI, rabbit.amqpUri())
                .set(ProducerConfig.HTTP_PORT, 0)
                .set(ProducerConfig.ADMIN_PORT, 0)
                .set(EdgeSettings.API_KEYS_FILE, keys)));
        assertThat(producer.awaitBroker(Duration.ofSeconds(10))).isTrue();
        client = new ProducerClient(producer.port());
    }

    @AfterAll
    static void stop() throws Exception {
        producer.close();
        Files.deleteIfExists(keys);
    }

    @BeforeEach
    void emptyTheQueue() throws Exception {
        try (Channel channel = rabbit.connection().createChannel()) {
            channel.queuePurge(Topology.QUEUE);
        }
    }

    private static HttpResponse<String> post(String path, String body, String key, String... headers) throws Exception {
        List<String> all = new ArrayList<>(List.of(headers));
        if (key != null) {
            all.addAll(List.of("Authorization", "Bearer " + key));
        }
        return client.postJson(path, body, all.toArray(String[]::new));
    }

    private static String message(HttpResponse<String> response) throws Exception {
        return RideJson.MAPPER.readTree(response.body()).path("message").asText();
    }

    @Test
    void aRequestWithoutAKeyIsRefused401WithAChallenge() throws Exception {
        HttpResponse<String> refused = post(ProducerClient.RIDE_PATH, ProducerClient.RIDE_BODY, null);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(message(refused)).contains("API key is required");
        assertThat(rabbit.readyMessages(Topology.QUEUE)).isZero();
    }

    @Test
    void anUnknownKeyIsRefused401() throws Exception {
        HttpResponse<String> refused = post(ProducerClient.RIDE_PATH, ProducerClient.RIDE_BODY, GATE7 + "x");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(message(refused)).isEqualTo("unknown API key").doesNotContain(GATE7);
    }

    @Test
    void anAnalystsKeyCannotPostRides() throws Exception {
        HttpResponse<String> refused =
                post("/skiers/3/seasons/2025/days/17/skiers/4242", ProducerClient.RIDE_BODY, ANALYST);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(RideJson.MAPPER.readTree(refused.body()).path("message").asText())
                .isEqualTo("the API key of client analyst-3 may not post rides (its scope: read)");
    }

    @Test
    void aKeyPostsForTheResortsItCoversAndIsRefused403ForOthers() throws Exception {
        assertThat(post("/skiers/3/seasons/2025/days/17/skiers/4242", ProducerClient.RIDE_BODY, GATE7)
                        .statusCode())
                .isEqualTo(201);
        HttpResponse<String> refused =
                post("/skiers/5/seasons/2025/days/17/skiers/4242", ProducerClient.RIDE_BODY, GATE7);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(message(refused)).isEqualTo("resortID 5 is not covered by the API key of client gate7");
        assertThat(post("/skiers/5/seasons/2025/days/17/skiers/4242", ProducerClient.RIDE_BODY, OPS)
                        .statusCode())
                .isEqualTo(201);
        assertThat(rabbit.readyMessages(Topology.QUEUE)).isEqualTo(2);
    }

    @Test
    void aBatchWithOneUncoveredRideIsRefusedWholeSayingWhich() throws Exception {
        String batch =
                "[{\"resortID\": 3, \"seasonID\": \"2025\", \"dayID\": 1, \"skierID\": 1, \"time\": 1, \"liftID\": 1},"
                        + "{\"resortID\": 9, \"seasonID\": \"2025\", \"dayID\": 1, \"skierID\": 2, \"time\": 2, \"liftID\": 2}]";
        HttpResponse<String> refused = post("/rides", batch, GATE7);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(message(refused)).startsWith("rides[1].resortID 9 is not covered by the API key of client gate7");
        assertThat(rabbit.readyMessages(Topology.QUEUE)).as("nothing published").isZero();
    }

    @Test
    void aKeyedRideIsQueuedUnderItsClientsNameSoNoOtherClientCanTakeItsId() throws Exception {
        HttpResponse<String> mine =
                post(ProducerClient.RIDE_PATH, ProducerClient.RIDE_BODY, GATE7, "Idempotency-Key", "gate7-000124");
        HttpResponse<String> squatter =
                post(ProducerClient.RIDE_PATH, ProducerClient.RIDE_BODY, OPS, "Idempotency-Key", "gate7-000124");
        assertThat(mine.statusCode()).isEqualTo(201);
        assertThat(squatter.statusCode()).isEqualTo(201);
        assertThat(RideJson.MAPPER.readTree(mine.body()).path("eventId").asText())
                .as("the client sees its own id")
                .isEqualTo("gate7-000124");
        List<String> queued = new ArrayList<>();
        try (Channel channel = rabbit.connection().createChannel()) {
            for (GetResponse got = channel.basicGet(Topology.QUEUE, true);
                    got != null;
                    got = channel.basicGet(Topology.QUEUE, true)) {
                queued.add(got.getProps().getMessageId() + " "
                        + RideJson.MAPPER
                                .readTree(got.getBody())
                                .path("eventId")
                                .asText());
            }
        }
        assertThat(queued)
                .containsExactlyInAnyOrder(
                        "gate7:gate7-000124 gate7:gate7-000124", "ops:gate7-000124 ops:gate7-000124");
    }

    @Test
    void theKeysFileIsReadAgainWhenItChanges() throws Exception {
        String late = "ll_added-while-running-42";
        assertThat(post(ProducerClient.RIDE_PATH, ProducerClient.RIDE_BODY, late)
                        .statusCode())
                .isEqualTo(401);
        Files.writeString(keys, sha256(late) + " late-gate *\n", StandardOpenOption.APPEND);
        Poll.waitAtMost(
                Duration.ofSeconds(10),
                "the added key accepted",
                () -> post(ProducerClient.RIDE_PATH, ProducerClient.RIDE_BODY, late)
                                .statusCode()
                        == 201);
        // Revoked: the line removed.
        Files.writeString(keys, sha256(GATE7) + " gate7 3,4\n" + sha256(OPS) + " ops *\n");
        Poll.waitAtMost(
                Duration.ofSeconds(10),
                "the removed key refused",
                () -> post(ProducerClient.RIDE_PATH, ProducerClient.RIDE_BODY, late)
                                .statusCode()
                        == 401);
    }

    @Test
    void healthAndMetricsNeedNoKeyOnTheAdminPort() throws Exception {
        ProducerClient admin = new ProducerClient(producer.adminPort());
        assertThat(admin.get("/health/ready").statusCode()).isEqualTo(200);
        assertThat(admin.get("/metrics").statusCode()).isEqualTo(200);
    }
}
