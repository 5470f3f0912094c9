package io.liftline.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.broker.Topology;
import io.liftline.model.RideJson;
import io.liftline.producer.config.ProducerConfig;
import io.liftline.runtime.Values;
import io.liftline.testing.Poll;
import io.liftline.testing.RabbitVhost;
import io.liftline.testing.TcpProxy;
import io.liftline.testing.TestBroker;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BrokerOutageIT {

    @RegisterExtension
    static final RabbitVhost rabbit = new RabbitVhost();

    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(2);
    /** The longest a 503 may take: the publish timeout plus a margin for the HTTP round trip. */
    private static final Duration ANSWER_BOUND = PUBLISH_TIMEOUT.plusSeconds(1);

    private static TcpProxy proxy;
    private static ProducerApp producer;
    private static ProducerClient client;
    private static ProducerClient admin;

    @BeforeAll
    static void startProducerBehindAProxy() throws Exception {
        proxy = rabbit.proxy();
        producer = ProducerApp.start(ProducerConfig.of(Values.defaults()
                .set(ProducerConfig.AMQP_URI, rabbit.amqpUriThrough(proxy))
                .set(ProducerConfig.HTTP_PORT, 0)
                .set(ProducerConfig.ADMIN_PORT, 0)
                .set(ProducerConfig.PUBLISH_TIMEOUT, PUBLISH_TIMEOUT)));
        assertThat(producer.awaitBroker(Duration.ofSeconds(10))).isTrue();
        client = new ProducerClient(producer.port());
        admin = new ProducerClient(producer.adminPort());
    }

    @AfterAll
    static void stop() throws Exception {
        producer.close();
        proxy.close();
    }

    @AfterEach
    void brokerBack() throws Exception {
        proxy.restore();
        TestBroker.memoryAlarm(false);
        Poll.waitAtMost(
                Duration.ofSeconds(20),
                "producer ready again",
                () -> admin.get("/health/ready").statusCode() == 200);
    }

    @Test
    void publishAnswers503WithRetryAfterWhenTheBrokerIsUnreachableAndRecoversWhenItReturns() throws Exception {
        assertThat(post().statusCode()).isEqualTo(201);

        proxy.cut();
        long start = System.nanoTime();
        HttpResponse<String> refused = post();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(took).isLessThan(ANSWER_BOUND);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(message(refused)).startsWith("not stored, retry with the same event ids:");
        var assigned = RideJson.MAPPER.readTree(refused.body()).path("eventIds");
        assertThat(assigned).as("the ids to retry under").hasSize(1);
        assertThat(assigned.get(0).asText())
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        HttpResponse<String> ready = Poll.waitAtMost(
                Duration.ofSeconds(10), "readiness DOWN", () -> admin.get("/health/ready"), r -> r.statusCode() == 503);
        assertThat(ready.body()).contains("\"status\":\"DOWN\"", "broker unreachable");

        proxy.restore();
        HttpResponse<String> accepted =
                Poll.waitAtMost(Duration.ofSeconds(20), "a 201 after recovery", this::post, r -> r.statusCode() == 201);
        String eventId =
                RideJson.MAPPER.readTree(accepted.body()).path("eventId").asText();
        assertThat(queuedIds()).contains(eventId);
    }

    @Test
    void readinessGoesDownAsSoonAsAPublishTimesOutOnALinkThatDropsPackets() throws Exception {
        assertThat(post().statusCode()).isEqualTo(201);

        proxy.blackHole(); // the connection stays open: only heartbeats would notice, after some 20 s
        long start = System.nanoTime();
        HttpResponse<String> refused = post();
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(message(refused)).contains("did not confirm");
        HttpResponse<String> ready = admin.get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("confirmed nothing since a publish timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("DOWN long before the heartbeats give up")
                .isLessThan(ANSWER_BOUND);

        proxy.restore(); // the held frames go through: the late confirm shows the link works again
        Poll.waitAtMost(
                Duration.ofSeconds(10),
                "ready once a confirm arrives",
                () -> admin.get("/health/ready").statusCode() == 200);
        HttpResponse<String> accepted = post();
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
        assertThat(queuedIds())
                .contains(RideJson.MAPPER
                        .readTree(accepted.body())
                        .path("eventId")
                        .asText());
    }

    @Test
    void aNewConnectionIsReadyAlthoughTheOldOneNeverConfirmed() throws Exception {
        assertThat(post().statusCode()).isEqualTo(201);
        proxy.blackHole();
        assertThat(post().statusCode()).isEqualTo(503);
        Poll.waitAtMost(
                Duration.ofSeconds(5),
                "DOWN: nothing confirmed",
                () -> admin.get("/health/ready").body().contains("confirmed nothing"));

        proxy.cut(); // that connection dies with its publish unconfirmed; the producer connects anew
        proxy.restore();
        Poll.waitAtMost(
                Duration.ofSeconds(20),
                "ready on the new connection",
                () -> admin.get("/health/ready").statusCode() == 200);
        assertThat(post().statusCode()).isEqualTo(201);
    }

    @Test
    void publishAnswers503FastWhileTheBrokerBlocksPublishersWithAResourceAlarm() throws Exception {
        assertThat(post().statusCode()).isEqualTo(201);
        try {
            TestBroker.memoryAlarm(true);
            // The first publish on a blocked connection learns of the block the hard way: no confirm.
            long start = System.nanoTime();
            HttpResponse<String> first = post();
            assertThat(first.statusCode()).as(first.body()).isEqualTo(503);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(ANSWER_BOUND);
            // Once the broker said "blocked", requests are refused at once instead of tying up a thread.
            HttpResponse<String> ready = Poll.waitAtMost(
                    Duration.ofSeconds(10),
                    "readiness says blocked",
                    () -> admin.get("/health/ready"),
                    r -> r.body().contains("resource alarm"));
            assertThat(ready.statusCode()).isEqualTo(503);
            long fastStart = System.nanoTime();
            HttpResponse<String> fast = post();
            assertThat(fast.statusCode()).isEqualTo(503);
            assertThat(message(fast)).contains("blocked by a resource alarm");
            assertThat(Duration.ofNanos(System.nanoTime() - fastStart)).isLessThan(Duration.ofMillis(500));
        } finally {
            TestBroker.memoryAlarm(false);
        }
        HttpResponse<String> after = Poll.waitAtMost(
                Duration.ofSeconds(20), "a 201 after the alarm clears", this::post, r -> r.statusCode() == 201);
        assertThat(queuedIds())
                .contains(RideJson.MAPPER.readTree(after.body()).path("eventId").asText());
    }

    @Test
    void everyRequestWaitingForItsConfirmAnswers503SoonAfterAnAlarmNotAfterThePublishTimeout() throws Exception {
        // A publish timeout far longer than the bound below: only the connection.blocked notice can answer in time.
        Duration longTimeout = Duration.ofSeconds(30);
        ProducerApp patient = ProducerApp.start(ProducerConfig.of(Values.defaults()
                .set(ProducerConfig.AMQP_URI, rabbit.amqpUri())
                .set(ProducerConfig.HTTP_PORT, 0)
                .set(ProducerConfig.ADMIN_PORT, 0)
                .set(ProducerConfig.PUBLISH_TIMEOUT, longTimeout)));
        try {
            assertThat(patient.awaitBroker(Duration.ofSeconds(10))).isTrue();
            ProducerClient patientClient = new ProducerClient(patient.port());
            assertThat(patientClient
                            .postJson(ProducerClient.RIDE_PATH, ProducerClient.RIDE_BODY)
                            .statusCode())
                    .isEqualTo(201);
            java.util.concurrent.ExecutorService scanners = java.util.concurrent.Executors.newFixedThreadPool(20);
            try {
                TestBroker.memoryAlarm(true);
                assertThat(fortyAnswered503(scanners, patientClient, "blocked by a resource alarm"))
                        .as("all 40 answered")
                        .isLessThan(longTimeout.dividedBy(6));
            } finally {
                TestBroker.memoryAlarm(false);
                scanners.shutdownNow();
            }
            HttpResponse<String> after = Poll.waitAtMost(
                    Duration.ofSeconds(20),
                    "a 201 after the alarm clears",
                    () -> patientClient.postJson(ProducerClient.RIDE_PATH, ProducerClient.RIDE_BODY),
                    r -> r.statusCode() == 201);
            assertThat(after.statusCode()).isEqualTo(201);
        } finally {
            patient.close();
        }
    }

    /**
     * Requests arrive before the pool has opened its channels, and the broker answers nothing (as after an alarm,
     * once the connection has published: the broker stops reading it). A request that opened a channel itself
     * would wait out the channel RPC timeout (10 s) on channel.open; the pool's filler is the one that waits.
     */
    @Test
    void noRequestWaitsOnAChannelOpenThatTheBrokerDoesNotAnswer() throws Exception {
        java.util.concurrent.ExecutorService scanners = java.util.concurrent.Executors.newFixedThreadPool(40);
        try (TcpProxy silent = rabbit.proxy()) {
            silent.pauseRepliesAtChannelOpen(2); // after the topology's channel: the pool's first gets no answer
            ProducerApp fresh = ProducerApp.start(ProducerConfig.of(Values.defaults()
                    .set(ProducerConfig.AMQP_URI, rabbit.amqpUriThrough(silent))
                    .set(ProducerConfig.HTTP_PORT, 0)
                    .set(ProducerConfig.ADMIN_PORT, 0)
                    .set(ProducerConfig.PUBLISH_TIMEOUT, Duration.ofSeconds(30))));
            try {
                assertThat(fresh.awaitBroker(Duration.ofSeconds(10))).isTrue();
                ProducerClient freshClient = new ProducerClient(fresh.port());
                assertThat(fortyAnswered503(scanners, freshClient, "no channel free within 1000 ms"))
                        .as("all 40 answered within the acquire timeout")
                        .isLessThan(Duration.ofSeconds(5));
            } finally {
                silent.resume();
                fresh.close();
            }
        } finally {
            scanners.shutdownNow();
        }
    }

    private HttpResponse<String> post() throws Exception {
        return client.postJson(ProducerClient.RIDE_PATH, ProducerClient.RIDE_BODY);
    }

    private static Set<String> queuedIds() {
        return rabbit.takeMessageIds(Topology.QUEUE);
    }

    private static String message(HttpResponse<String> response) throws Exception {
        return RideJson.MAPPER.readTree(response.body()).path("message").asText();
    }

    /**
     * Posts 40 rides at once through {@code scanners}; each must be answered 503 with Retry-After and a message
     * containing {@code message}. Returns how long the last answer took.
     */
    private static Duration fortyAnswered503(
            java.util.concurrent.ExecutorService scanners, ProducerClient client, String message) throws Exception {
        long start = System.nanoTime();
        java.util.List<java.util.concurrent.Future<HttpResponse<String>>> answers = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            answers.add(scanners.submit(() -> client.postJson(ProducerClient.RIDE_PATH, ProducerClient.RIDE_BODY)));
        }
        for (var answer : answers) {
            HttpResponse<String> response = answer.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertThat(message(response)).contains(message);
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
