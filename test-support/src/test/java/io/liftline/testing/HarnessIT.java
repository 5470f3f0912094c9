package io.liftline.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.MessageProperties;
import io.liftline.broker.Topology;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HarnessIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    @Test
    void eachTestClassGetsItsOwnVhostWithTheLiftRidesPolicy() throws Exception {
        try (Channel channel = backends.rabbit().connection().createChannel()) {
            Topology.declare(channel);
            channel.basicPublish(
                    Topology.EXCHANGE,
                    Topology.ROUTING_KEY,
                    MessageProperties.PERSISTENT_BASIC,
                    "{}".getBytes(StandardCharsets.UTF_8));
        }
        Poll.waitAtMost(
                Duration.ofSeconds(10),
                "the message in the vhost's queue",
                () -> backends.rabbit().readyMessages(Topology.QUEUE) == 1);
        JsonNode queue = Poll.waitAtMost(
                Duration.ofSeconds(10),
                "the policy to apply",
                () -> backends.rabbit().management().queue(backends.rabbit().vhost(), Topology.QUEUE),
                q -> q.path("policy").isTextual());
        assertThat(queue.path("policy").asText()).isEqualTo("lift-rides");
        assertThat(queue.path("effective_policy_definition")
                        .path("delivery-limit")
                        .asInt())
                .isPositive();
        assertThat(queue.path("arguments").path("x-queue-type").asText()).isEqualTo("quorum");
        assertThat(backends.rabbit().amqpUri()).endsWith("/" + backends.rabbit().vhost());
    }

    @Test
    void eachTestClassGetsItsOwnDatabaseOverARealSocket() {
        MongoCollection<Document> rides = backends.mongo().database().getCollection("rides");
        rides.insertOne(new Document("_id", "e-1").append("skierId", 7));
        assertThat(rides.find(new Document("_id", "e-1")).first()).containsEntry("skierId", 7);
        assertThat(backends.mongo().uri()).startsWith("mongodb://");
        assertThat(backends.mongo().databaseName()).startsWith("lt_harnessit_");
    }
}
