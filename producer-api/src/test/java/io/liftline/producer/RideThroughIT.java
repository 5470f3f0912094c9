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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The producer rides through short broker outages: a publish that meets a lost connection waits for the reconnect,
 * within the publish timeout, and is answered 201 only once the broker has confirmed it. Clients here never retry.
 */
class RideThroughIT {

    @RegisterExtension
    static final RabbitVhost rabbit = new RabbitVhost();

    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(5);

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final ExecutorService scanners = Executors.newFixedThreadPool(24);

    @AfterEach
    void close() throws Exception {
        scanners.shutdownNow();
        for (AutoCloseable c : opened) {
            c.close();
        }
        TestBroker.start(); // a no-op unless a test left the broker stopped
        drain();
    }

    private ProducerApp producer(String amqpUri, Values settings) throws Exception {
        ProducerApp producer = ProducerApp.start(ProducerConfig.of(settings.set(ProducerConfig.AMQP_URI, amqpUri)
                .set(ProducerConfig.HTTP_PORT, 0)
                .set(ProducerConfig.ADMIN_PORT, 0)));
        opened.add(0, producer);
        assertThat(producer.awaitBroker(Duration.ofSeconds(10))).isTrue();
        return producer;
    }

    @Test
    void requestsThatMeetALostConnectionWaitForTheReconnectAndAreAllStored() throws Exception {
        TcpProxy link = rabbit.proxy();
        opened.add(link);
        ProducerApp producer = producer(
                rabbit.amqpUriThrough(link), Values.defaults().set(ProducerConfig.PUBLISH_TIMEOUT, PUBLISH_TIMEOUT));
        ProducerClient client = new ProducerClient(producer.port());
        ProducerClient admin = new ProducerClient(producer.adminPort());
        assertThat(post(client).statusCode()).isEqualTo(201);

        link.cut();
        Poll.waitAtMost(
                Duration.ofSeconds(10),
                "readiness DOWN while the connection is lost",
                () -> admin.get("/health/ready").statusCode() == 503);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(scanners.submit(() -> post(client)));
        }
        Poll.waitAtMost(Duration.ofSeconds(4), "all 20 held, none answered", () -> producer.inFlightPublishes() == 20);
        assertThat(answers).noneMatch(Future::isDone);
        assertThat(admin.get("/metrics").body()).as("the held gauge").contains("liftline_publish_held 20.0");

        link.restore();
        Set<String> accepted = allCreated(answers);
        assertThat(queuedIds()).containsAll(accepted);
    }

    @Test
    void requestsWaitingForConfirmsWhenTheConnectionDropsArePublishedAgainAndAnswered201OnlyWhenConfirmed()
            throws Exception {
        TcpProxy link = rabbit.proxy();
        opened.add(link);
        ProducerApp producer = producer(
                rabbit.amqpUriThrough(link), Values.defaults().set(ProducerConfig.PUBLISH_TIMEOUT, PUBLISH_TIMEOUT));
        ProducerClient client = new ProducerClient(producer.port());
        assertThat(post(client).statusCode()).isEqualTo(201);

        link.blackHole(); // the publishes leave, their confirms never come
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answers.add(scanners.submit(() -> post(client)));
        }
        Poll.waitAtMost(
                Duration.ofSeconds(3), "10 publishes awaiting confirms", () -> producer.inFlightPublishes() == 10);
        link.cut(); // the connection dies under them: published again on the next one
        link.restore();

        Set<String> accepted = allCreated(answers);
        assertThat(accepted).hasSize(10);
        assertThat(queuedIds()).containsAll(accepted);
    }

    @Test
    void aBrokerUnreachableForThreeSecondsUnderLoadCostsNoRequest() throws Exception {
        TcpProxy link = rabbit.proxy();
        opened.add(link);
        Load load = underLoad(producer(
                rabbit.amqpUriThrough(link), Values.defaults().set(ProducerConfig.PUBLISH_TIMEOUT, PUBLISH_TIMEOUT)));
        link.cut(); // the connection drops and every reconnect is refused, for the fault's 3 s
        Thread.sleep(3_000);
        link.restore();
        load.awaitMore(200);
        load.stop();

        assertRodeThrough(load, "the outage");
    }

    /**
     * A real restart of the one broker: stop_app takes some 5 s here before it returns (the broker closes its
     * connections first), start_app 1-2 s, so the broker is away for 6-10 s; a publish timeout above that rides
     * through it.
     */
    @Test
    void aBrokerRestartUnderLoadCostsNoRequestWhenThePublishTimeoutOutlastsIt() throws Exception {
        Load load = underLoad(producer(
                rabbit.amqpUri(), Values.defaults().set(ProducerConfig.PUBLISH_TIMEOUT, Duration.ofSeconds(20))));
        TestBroker.restart(Duration.ZERO);
        load.awaitMore(200);
        load.stop();

        assertRodeThrough(load, "the restart");
    }

    @Test
    void aBrokerStoppedLongerThanThePublishTimeoutGets503sAfterTheTimeoutAndLosesNothingAnswered201() throws Exception {
        Duration timeout = Duration.ofSeconds(3);
        Load load =
                underLoad(producer(rabbit.amqpUri(), Values.defaults().set(ProducerConfig.PUBLISH_TIMEOUT, timeout)));
        TestBroker.restart(Duration.ofSeconds(12));
        load.awaitMore(200);
        load.stop();

        assertThat(load.refused).as("503s while the broker stayed down").isNotEmpty();
        assertThat(load.refused).allSatisfy(r -> assertThat(r).startsWith("503 "));
        assertThat(load.slowestRefusal())
                .as("a 503 comes after the timeout, not at once and not long after")
                .isBetween(timeout.minusMillis(200), timeout.plusSeconds(2));
        assertThat(queuedIds()).containsAll(load.accepted);
    }

    /** Posts without retrying from eight threads until stopped; records every answer. */
    private final class Load {
        final ConcurrentLinkedQueue<String> accepted = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> refusalMillis = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> slowAcceptMillis = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<Future<?>> posters = new ArrayList<>();

        void awaitMore(int rides) {
            int target = accepted.size() + rides;
            Poll.waitAtMost(
                    Duration.ofSeconds(60),
                    rides + " more 201s after the broker is back",
                    () -> accepted.size() >= target);
        }

        void stop() throws Exception {
            running.set(false);
            for (Future<?> poster : posters) {
                poster.get(30, TimeUnit.SECONDS);
            }
        }

        long acceptedDuringOutage() {
            return slowAcceptMillis.size();
        }

        Duration slowestRefusal() {
            return Duration.ofMillis(
                    refusalMillis.stream().mapToLong(Long::longValue).max().orElse(0));
        }
    }

    private Load underLoad(ProducerApp producer) {
        Load load = new Load();
        ProducerClient client = new ProducerClient(producer.port());
        for (int i = 0; i < 8; i++) {
            load.posters.add(scanners.submit(() -> {
                while (load.running.get()) {
                    long start = System.nanoTime();
                    HttpResponse<String> response = post(client);
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    if (response.statusCode() == 201) {
                        load.accepted.add(eventId(response));
                        if (millis > 1_000) {
                            load.slowAcceptMillis.add(millis);
                        }
                    } else {
                        load.refused.add(response.statusCode() + " " + response.body());
                        load.refusalMillis.add(millis);
                    }
                }
                return null;
            }));
        }
        load.awaitMore(100); // the load runs before the fault, so the fault meets requests in flight
        return load;
    }

    private static HttpResponse<String> post(ProducerClient client) throws Exception {
        return client.postJson(ProducerClient.RIDE_PATH, ProducerClient.RIDE_BODY);
    }

    private static String eventId(HttpResponse<String> response) throws Exception {
        return RideJson.MAPPER.readTree(response.body()).path("eventId").asText();
    }

    /** The event ids of the answers, each of which must come within the publish timeout and be a 201. */
    private static Set<String> allCreated(List<Future<HttpResponse<String>>> answers) throws Exception {
        Set<String> accepted = new HashSet<>();
        for (Future<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get(PUBLISH_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            accepted.add(eventId(response));
        }
        return accepted;
    }

    /** Every request answered 201, some while the broker was away (held through the fault), and each one queued. */
    private static void assertRodeThrough(Load load, String fault) {
        assertThat(load.refused).as("answers other than 201").isEmpty();
        assertThat(load.acceptedDuringOutage())
                .as("requests held through " + fault + " and answered 201")
                .isPositive();
        assertThat(queuedIds()).containsAll(load.accepted);
    }

    private static Set<String> queuedIds() {
        return rabbit.takeMessageIds(Topology.QUEUE);
    }

    private static void drain() throws Exception {
        queuedIds();
    }
}
