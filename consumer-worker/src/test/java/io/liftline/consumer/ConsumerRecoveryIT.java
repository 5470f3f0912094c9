package io.liftline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.broker.Topology;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import io.liftline.testing.TcpProxy;
import io.liftline.testing.TestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A worker keeps consuming through everything that takes its subscription away, and says so while it cannot. */
class ConsumerRecoveryIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    private static final HttpClient http = HttpClient.newHttpClient();

    private static ConsumerApp start(String amqpUri) throws Exception {
        ConsumerApp consumer = ConsumerApp.start(ConsumerConfig.of(TestWorkers.settings(backends)
                .set(ConsumerConfig.AMQP_URI, amqpUri)
                .set(ConsumerConfig.ADMIN_PORT, 0)
                .set(ConsumerConfig.CONSUMERS, 2)));
        Poll.waitAtMost(Duration.ofSeconds(20), "consumers subscribed", () -> ready(consumer));
        return consumer;
    }

    private static boolean ready(ConsumerApp consumer) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumer.adminPort() + "/health/ready"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200;
    }

    /** Consumers on the queue as the broker counts them (an AMQP passive declare: the management API lags). */
    private static long consumersOnTheQueue() throws Exception {
        try (var channel = backends.rabbit().connection().createChannel()) {
            return channel.queueDeclarePassive(Topology.QUEUE).getConsumerCount();
        }
    }

    @Test
    void consumersSubscribeAgainAfterABrokerRestartAndAreNotReadyWhileTheyCannot() throws Exception {
        ConsumerApp consumer = start(backends.rabbit().amqpUri());
        try {
            TestWorkers.publishAndAwaitStored(backends, "restart-before", 200);

            TestBroker.rabbitmqctl("stop_app");
            try {
                Poll.waitAtMost(
                        Duration.ofSeconds(15), "readiness DOWN while the broker is stopped", () -> !ready(consumer));
            } finally {
                TestBroker.start();
            }

            Poll.waitAtMost(Duration.ofSeconds(30), "readiness UP after the broker returned", () -> ready(consumer));
            Poll.waitAtMost(Duration.ofSeconds(15), "the broker sees both consumers", () -> consumersOnTheQueue() == 2);
            TestWorkers.publishAndAwaitStored(backends, "restart-after", 200);
        } finally {
            consumer.close();
        }
    }

    @Test
    void consumersSubscribeAgainAfterTheirConnectionIsCut() throws Exception {
        try (TcpProxy proxy = backends.rabbit().proxy()) {
            ConsumerApp consumer = start(backends.rabbit().amqpUriThrough(proxy));
            try {
                proxy.cut();
                Poll.waitAtMost(Duration.ofSeconds(15), "readiness DOWN while cut off", () -> !ready(consumer));
                Thread.sleep(3_000);
                proxy.restore();
                Poll.waitAtMost(Duration.ofSeconds(30), "readiness UP after the cut", () -> ready(consumer));
                TestWorkers.publishAndAwaitStored(backends, "cut-after", 200);
                Poll.waitAtMost(
                        Duration.ofSeconds(15), "the broker sees both consumers", () -> consumersOnTheQueue() == 2);
            } finally {
                consumer.close();
            }
        }
    }

    @Test
    void consumersSubscribeAgainWhenTheBrokerCancelsThem() throws Exception {
        ConsumerApp consumer = start(backends.rabbit().amqpUri());
        try {
            // Deleting the queue cancels its consumers (basic.cancel from the broker), as a leader move can.
            backends.rabbit().management().deleteQueue(backends.rabbit().vhost(), Topology.QUEUE);
            Poll.waitAtMost(
                    Duration.ofSeconds(20),
                    "the queue declared again and both consumers back on it",
                    () -> queueExists() && consumersOnTheQueue() == 2);
            assertThat(ready(consumer)).as("ready once subscribed again").isTrue();
            TestWorkers.publishAndAwaitStored(backends, "cancel-after", 200);
        } finally {
            consumer.close();
        }
    }

    private static boolean queueExists() {
        try (var channel = backends.rabbit().connection().createChannel()) {
            channel.queueDeclarePassive(Topology.QUEUE);
            return true;
        } catch (Exception notFound) {
            return false;
        }
    }
}
