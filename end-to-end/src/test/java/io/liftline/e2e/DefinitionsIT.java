package io.liftline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Channel;
import io.liftline.broker.Topology;
import io.liftline.model.RideJson;
import io.liftline.testing.BrokerAndStore;
import io.liftline.testing.Poll;
import io.liftline.testing.RepositoryFiles;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** rabbitmq/definitions.json and the apps' own declarations describe the same topology. */
class DefinitionsIT {

    @RegisterExtension
    static final BrokerAndStore backends = new BrokerAndStore();

    @Test
    void theAppsStartAgainstABrokerLoadedFromDefinitionsJsonAndDeclareTheSameTopology() throws Exception {
        JsonNode definitions =
                RideJson.MAPPER.readTree(Files.readAllBytes(RepositoryFiles.resolve("rabbitmq/definitions.json")));
        for (String section : new String[] {"exchanges", "queues", "bindings", "policies"}) {
            for (JsonNode item : definitions.path(section)) {
                ((ObjectNode) item).put("vhost", backends.rabbit().vhost());
            }
        }
        backends.rabbit().management().importDefinitions(backends.rabbit().vhost(), definitions.toString());
        JsonNode queue = backends.rabbit().management().queue(backends.rabbit().vhost(), Topology.QUEUE);
        assertThat(queue.path("arguments").path("x-queue-type").asText()).isEqualTo("quorum");

        // Redeclaring with different arguments would close the channel with PRECONDITION_FAILED: the same ones pass.
        try (Channel channel = backends.rabbit().connection().createChannel()) {
            Topology.declare(channel);
            assertThat(channel.isOpen()).isTrue();
        }
        try (TestPipeline pipeline = TestPipeline.start(backends.rabbit().amqpUri(), backends.mongo())) {
            JsonNode declared =
                    backends.rabbit().management().queue(backends.rabbit().vhost(), Topology.QUEUE);
            assertThat(declared.path("arguments")).isEqualTo(queue.path("arguments"));
            JsonNode effective = Poll.waitAtMost(
                    Duration.ofSeconds(15),
                    "the policy in effect",
                    () -> backends.rabbit().management().queue(backends.rabbit().vhost(), Topology.QUEUE),
                    q -> q.path("policy").isTextual());
            assertThat(effective
                            .path("effective_policy_definition")
                            .path("dead-letter-strategy")
                            .asText())
                    .isEqualTo("at-least-once");
            assertThat(effective
                            .path("effective_policy_definition")
                            .path("overflow")
                            .asText())
                    .isEqualTo("reject-publish");
        }
    }
}
