package io.liftline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.liftline.broker.ConfirmedPublisher;
import io.liftline.broker.Topology;
import io.liftline.model.LiftRide;
import io.liftline.model.RideJson;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/** Publishes rides exactly as the producer does (same body, same properties), with confirms, for the consumer's tests. */
final class Rides {

    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(30);

    private Rides() {}

    static LiftRide ride(String eventId, int n) {
        return new LiftRide(
                eventId,
                n % 10 + 1,
                "2025",
                n % 366 + 1,
                n % 100_000 + 1,
                n % 360 + 1,
                n % 40 + 1,
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    static List<String> ids(String prefix, int count) {
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(prefix + "-" + i);
        }
        return ids;
    }

    /** The producer's properties, with another schema version (null: none) for the poison tests. */
    static AMQP.BasicProperties properties(String eventId, Object schemaVersion) {
        return Topology.rideProperties(eventId, Instant.now())
                .builder()
                .headers(schemaVersion == null ? Map.of() : Map.of(Topology.SCHEMA_VERSION_HEADER, schemaVersion))
                .build();
    }

    /** Publishes one ride per id, confirmed by the broker before this returns. */
    static void publish(Connection connection, List<String> ids) throws Exception {
        publish(connection, ids, 0);
    }

    /** As {@link #publish(Connection, List)}, the i-th id getting the ride {@code ride(id, firstN + i)}. */
    static void publish(Connection connection, List<String> ids, int firstN) throws Exception {
        publish(connection, ids, i -> firstN + i);
    }

    /** As {@link #publish(Connection, List)}, every id getting the ride {@code ride(id, n)}: one skier's day. */
    static void publishOneSkierDay(Connection connection, List<String> ids, int n) throws Exception {
        publish(connection, ids, i -> n);
    }

    private static void publish(Connection connection, List<String> ids, IntUnaryOperator nOf) throws Exception {
        try (Channel channel = connection.createChannel()) {
            Topology.declare(channel);
            ConfirmedPublisher publisher = new ConfirmedPublisher(channel);
            for (int i = 0; i < ids.size(); i++) {
                publisher.publish(
                        Topology.EXCHANGE,
                        Topology.ROUTING_KEY,
                        properties(ids.get(i), RideJson.SCHEMA_VERSION),
                        RideJson.toMessage(ride(ids.get(i), nOf.applyAsInt(i))));
            }
            assertThat(publisher.awaitConfirms(CONFIRM_TIMEOUT))
                    .as("rides that reached no queue")
                    .isEmpty();
        }
    }

    /** Publishes a raw message (for poison), confirmed. */
    static void publishRaw(Connection connection, String eventId, Object schemaVersion, byte[] body) throws Exception {
        try (Channel channel = connection.createChannel()) {
            Topology.declare(channel);
            ConfirmedPublisher publisher = new ConfirmedPublisher(channel);
            publisher.publish(Topology.EXCHANGE, Topology.ROUTING_KEY, properties(eventId, schemaVersion), body);
            assertThat(publisher.awaitConfirms(CONFIRM_TIMEOUT))
                    .as("a message that reached no queue")
                    .isEmpty();
        }
    }
}
