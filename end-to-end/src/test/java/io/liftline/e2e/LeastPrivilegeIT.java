package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.mongodb.client.MongoCollection;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import io.liftline.broker.BrokerClients;
import io.liftline.broker.Topology;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.model.RideJson;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The apps as the broker users of rabbitmq/users.json: each does its job, and cannot do another's. */
class LeastPrivilegeIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    @BeforeAll
    static void loadTheTopologyAsAnAdministratorWould() throws Exception {
        try (Channel channel = backends.rabbit().connection().createChannel()) {
            Topology.declare(channel);
        }
    }

    @Test
    void theProducerAndTheWorkerDoTheirJobsAsTheirOwnUsers() throws Exception {
        // Connected, checking the topology, and subscribed: each as its own user.
        String consumerUri = backends.rabbit().amqpUriAs("liftline-consumer");
        try (TestPipeline pipeline = TestPipeline.start(
                backends.rabbit().amqpUriAs("liftline-producer"),
                backends.mongo(),
                p -> p,
                c -> c.set(ConsumerConfig.AMQP_URI, consumerUri))) {
            HttpResponse<String> created = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pipeline.port()
                                            + "/skiers/7/seasons/2025/days/42/skiers/31337"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"time\": 217, \"liftID\": 21}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String eventId =
                    RideJson.MAPPER.readTree(created.body()).path("eventId").asText();
            MongoCollection<Document> rides = backends.mongo().database().getCollection("rides");
            Poll.waitAtMost(
                    Duration.ofSeconds(15),
                    "the ride stored",
                    () -> rides.find(new Document("_id", eventId)).first() != null);

            // A poison message: the worker may write to the dead-letter exchange, so it is dead-lettered, not stuck.
            try (Channel channel = backends.rabbit().connection().createChannel()) {
                channel.basicPublish(
                        Topology.EXCHANGE,
                        Topology.ROUTING_KEY,
                        new AMQP.BasicProperties.Builder()
                                .headers(Map.of(Topology.SCHEMA_VERSION_HEADER, RideJson.SCHEMA_VERSION))
                                .build(),
                        "not json".getBytes(StandardCharsets.UTF_8));
            }
            Poll.waitAtMost(
                    Duration.ofSeconds(15),
                    "the poison dead-lettered",
                    () -> backends.rabbit().readyMessages(Topology.DEAD_LETTER_QUEUE) == 1);
        }
    }

    @Test
    void theProducerUserCanNeitherConsumeNorDeclare() throws Exception {
        try (Connection producer = connect("liftline-producer")) {
            assertRefused(() -> producer.createChannel().basicConsume(Topology.QUEUE, new DefaultConsumer(null)));
            assertRefused(() -> producer.createChannel().basicGet(Topology.QUEUE, false));
            assertRefused(() -> producer.createChannel().queueDeclare("stolen", true, false, false, null));
            assertRefused(() ->
                    producer.createChannel().exchangeDeclare(Topology.EXCHANGE, BuiltinExchangeType.DIRECT, true));
            assertRefused(() -> producer.createChannel().queuePurge(Topology.QUEUE));
            assertRefused(() -> publishConfirmed(producer, Topology.DEAD_LETTER_EXCHANGE));
        }
    }

    @Test
    void theConsumerUserCannotPublishRidesNorDeclare() throws Exception {
        try (Connection consumer = connect("liftline-consumer")) {
            assertRefused(() -> publishConfirmed(consumer, Topology.EXCHANGE));
            assertRefused(() -> publishConfirmed(consumer, ""));
            assertRefused(() -> consumer.createChannel().queueDeclare("stolen", true, false, false, null));
            assertRefused(() -> consumer.createChannel().basicGet(Topology.DEAD_LETTER_QUEUE, false));
            publishConfirmed(consumer, Topology.DEAD_LETTER_EXCHANGE); // its one permitted write
        }
    }

    private static Connection connect(String user) throws Exception {
        return BrokerClients.connect(backends.rabbit().amqpUriAs(user), "liftline-test-" + user);
    }

    private static void publishConfirmed(Connection connection, String exchange) throws Exception {
        try (Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish(
                    exchange, exchange.isEmpty() ? Topology.QUEUE : Topology.ROUTING_KEY, null, new byte[0]);
            channel.waitForConfirmsOrDie(5_000);
        }
    }

    private static void assertRefused(ThrowingCallable operation) {
        Throwable failure = catchThrowable(operation);
        assertThat(failure).as("refused by the broker").isNotNull();
        StringBuilder chain = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            chain.append(t.getMessage()).append(' ');
        }
        assertThat(chain.toString()).contains("ACCESS_REFUSED");
    }
}
