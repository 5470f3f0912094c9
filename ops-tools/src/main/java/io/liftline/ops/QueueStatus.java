package io.liftline.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.liftline.broker.Shards;
import io.liftline.broker.Topology;
import io.liftline.management.ManagementClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The operator's view of the pipeline's queues, from the RabbitMQ management API. */
final class QueueStatus {

    private final ManagementClient management;
    private final String vhost;

    QueueStatus(ManagementClient management, String vhost) {
        this.management = management;
        this.vhost = vhost;
    }

    Table snapshot() {
        Table table = new Table("queue", "ready", "unacked", "consumers", "publish/s", "deliver/s", "ack/s");
        // The ride queue, or each of its shards, then the dead letters.
        List<JsonNode> queues = new ArrayList<>();
        JsonNode dead = null;
        for (JsonNode q : management.queues(vhost)) {
            String name = q.path("name").asText();
            if (Shards.isRideQueue(name)) {
                queues.add(q);
            } else if (name.equals(Topology.DEAD_LETTER_QUEUE)) {
                dead = q;
            }
        }
        queues.sort(Comparator.comparingInt(q -> shardNumber(q.path("name").asText())));
        if (dead != null) {
            queues.add(dead);
        }
        for (JsonNode q : queues) {
            String name = q.path("name").asText();
            JsonNode stats = q.path("message_stats");
            table.add(
                    name,
                    q.path("messages_ready").asLong(),
                    q.path("messages_unacknowledged").asLong(),
                    q.path("consumers").asLong(),
                    rate(stats, "publish_details"),
                    rate(stats, "deliver_get_details"),
                    rate(stats, "ack_details"));
        }
        return table;
    }

    private static int shardNumber(String queue) {
        return queue.equals(Topology.QUEUE) ? -1 : Integer.parseInt(queue.substring(Topology.QUEUE.length() + 1));
    }

    private static double rate(JsonNode stats, String field) {
        return Math.round(stats.path(field).path("rate").asDouble(0) * 10) / 10.0;
    }
}
