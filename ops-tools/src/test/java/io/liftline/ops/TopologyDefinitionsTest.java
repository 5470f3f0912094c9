package io.liftline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liftline.broker.Shards;
import io.liftline.testing.RepositoryFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopologyDefinitionsTest {

    private static final Path FILE = RepositoryFiles.resolve("rabbitmq/definitions.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void oneShardInTheDefaultVhostIsTheFileAsItIs() throws Exception {
        assertThat(JSON.readTree(TopologyDefinitions.of(FILE, Shards.ONE, "/")))
                .isEqualTo(JSON.readTree(FILE.toFile()));
    }

    @Test
    void shardsAreTheQueuesAndKeysTheProducerAndWorkersUse() throws Exception {
        Shards three = new Shards(3);
        JsonNode doc = JSON.readTree(TopologyDefinitions.of(FILE, three, "/"));

        assertThat(names(doc.path("queues"), "name"))
                .containsExactlyInAnyOrder(three.queue(0), three.queue(1), three.queue(2), "lift-rides.dead");
        for (JsonNode queue : doc.path("queues")) {
            assertThat(queue.path("arguments").path("x-queue-type").asText()).isEqualTo("quorum");
        }
        List<String> routes = new ArrayList<>();
        for (JsonNode binding : doc.path("bindings")) {
            routes.add(binding.path("destination").asText() + " <- "
                    + binding.path("routing_key").asText());
        }
        assertThat(routes)
                .contains(three.queue(1) + " <- " + three.routingKey(1))
                .contains("lift-rides.dead <- ")
                .doesNotContain("lift-rides <- ride");
    }

    @Test
    void everyEntryGoesToTheVhostAsked() throws Exception {
        JsonNode doc = JSON.readTree(TopologyDefinitions.of(FILE, new Shards(2), "bench"));
        for (String kind : List.of("exchanges", "queues", "bindings", "policies")) {
            assertThat(names(doc.path(kind), "vhost")).as(kind).containsOnly("bench");
        }
    }

    private static List<String> names(JsonNode entries, String field) {
        List<String> names = new ArrayList<>();
        entries.forEach(e -> names.add(e.path(field).asText()));
        return names;
    }
}
