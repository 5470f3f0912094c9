package io.liftline.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liftline.broker.Shards;
import io.liftline.broker.Topology;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code rabbitmq/definitions.json} (the exchanges, the ride queue, the dead letters, the policy) for a number of
 * shards: with more than one, the ride queue and its binding become one per shard, named and routed as the producer
 * and the workers name and route them ({@link Shards}), so that the topology is derived in one place.
 */
final class TopologyDefinitions {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TopologyDefinitions() {}

    /** The definitions of {@code file} for {@code shards}, every entry in {@code vhost}. */
    static String of(Path file, Shards shards, String vhost) throws IOException {
        ObjectNode doc = (ObjectNode) JSON.readTree(file.toFile());
        if (shards.count() > 1) {
            doc.set("queues", sharded(doc.path("queues"), "name", shards));
            doc.set("bindings", sharded(doc.path("bindings"), "destination", shards));
        }
        for (String kind : new String[] {"exchanges", "queues", "bindings", "policies"}) {
            doc.path(kind).forEach(entry -> ((ObjectNode) entry).put("vhost", vhost));
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc) + "\n";
    }

    /** The entries, the ride queue's replaced by one per shard (its name, and a binding's routing key, the shard's). */
    private static ArrayNode sharded(JsonNode entries, String nameField, Shards shards) {
        ArrayNode out = JSON.createArrayNode();
        ObjectNode ride = null;
        for (JsonNode entry : entries) {
            if (entry.path(nameField).asText().equals(Topology.QUEUE)) {
                ride = (ObjectNode) entry;
            } else {
                out.add(entry);
            }
        }
        if (ride == null) {
            throw new IllegalArgumentException(
                    "the definitions have no " + Topology.QUEUE + " in their " + nameField + "s: nothing to shard");
        }
        for (int shard = 0; shard < shards.count(); shard++) {
            ObjectNode copy = ride.deepCopy().put(nameField, shards.queue(shard));
            if (copy.has("routing_key")) {
                copy.put("routing_key", shards.routingKey(shard));
            }
            out.add(copy);
        }
        return out;
    }
}
