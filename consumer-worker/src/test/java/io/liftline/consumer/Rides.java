package io.liftline.consumer;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.liftline.broker.Topology;
import io.liftline.model.LiftRide;
import io.liftline.model.RideJson;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** Publishes rides exactly as the producer does (same body, same properties), with confirms, for the consumer's tests. */
final class Rides {

    private Rides() {
    }

    static LiftRide ride(String eventId, int n) {
        return new LiftRide(eventId, n % 10 + 1, "2025", n % 366 + 1, n % 100_000 + 1, n % 360 + 1, n % 40 + 1,
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    static List<String> ids(String prefix, int count) {
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(prefix + "-" + i);
        }
        return ids;
    }

    static AMQP.BasicProperties properties(String eventId, Object schemaVersion) {
        return new AMQP.BasicProperties.Builder().contentType(Topology.CONTENT_TYPE).deliveryMode(2).messageId(eventId)
                .timestamp(new Date()).headers(schemaVersion == null ? Map.of() : Map.of(Topology.SCHEMA_VERSION_HEADER, schemaVersion))
                .build();
    }

    /** Publishes one ride per id, confirmed by the broker before this returns. */
    static void publish(Connection connection, List<String> ids) throws Exception {
        publish(connection, ids, 0);
    }

    /** As {@link #publish(Connection, List)}, the i-th id getting the ride {@code ride(id, firstN + i)}. */
    static void publish(Connection connection, List<String> ids, int firstN) throws Exception {
        try (Channel channel = connection.createChannel()) {
            Topology.declare(channel);
            channel.confirmSelect();
            for (int i = 0; i < ids.size(); i++) {
                channel.basicPublish(Topology.EXCHANGE, Topology.ROUTING_KEY, true, properties(ids.get(i), RideJson.SCHEMA_VERSION),
                        RideJson.toMessage(ride(ids.get(i), firstN + i)));
            }
            channel.waitForConfirmsOrDie(30_000);
        }
    }

    /** Publishes a raw message (for poison), confirmed. */
    static void publishRaw(Connection connection, String eventId, Object schemaVersion, byte[] body) throws Exception {
        try (Channel channel = connection.createChannel()) {
            Topology.declare(channel);
            channel.confirmSelect();
            channel.basicPublish(Topology.EXCHANGE, Topology.ROUTING_KEY, true, properties(eventId, schemaVersion), body);
            channel.waitForConfirmsOrDie(30_000);
        }
    }
}
