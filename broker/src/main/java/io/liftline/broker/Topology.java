package io.liftline.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import io.liftline.model.RideJson;
import java.io.IOException;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

/**
 * The broker topology of the contract (docs/topology.md), declared idempotently by both applications at start (checked, where
 * their broker user may not configure), with one ride queue or {@link Shards} of it.
 *
 * <p>It must match {@code rabbitmq/definitions.json}. Tunables (delivery limit, max length, dead-letter
 * strategy) are deliberately absent: they are set by policy, so operators can change them on a live queue.
 */
public final class Topology {

    public static final String EXCHANGE = "lift-rides";
    public static final String QUEUE = "lift-rides";
    public static final String ROUTING_KEY = "ride";
    public static final String DEAD_LETTER_EXCHANGE = "lift-rides.dlx";
    public static final String DEAD_LETTER_QUEUE = "lift-rides.dead";

    /** Message header carrying {@link RideJson#SCHEMA_VERSION}. */
    public static final String SCHEMA_VERSION_HEADER = "schema-version";

    public static final String CONTENT_TYPE = "application/json";
    private static final Map<String, Object> HEADERS = Map.of(SCHEMA_VERSION_HEADER, RideJson.SCHEMA_VERSION);

    private Topology() {}

    /**
     * The properties every ride message carries (docs/topology.md): JSON, persistent, the event id as message id
     * (what dedup and the dead-letter tools go by), the time the producer received the ride, the schema version.
     */
    public static AMQP.BasicProperties rideProperties(String eventId, Instant receivedAt) {
        return new AMQP.BasicProperties.Builder()
                .contentType(CONTENT_TYPE)
                .deliveryMode(2)
                .messageId(eventId)
                .timestamp(Date.from(receivedAt))
                .headers(HEADERS)
                .build();
    }

    public static Map<String, Object> queueArguments() {
        return Map.of("x-queue-type", "quorum", "x-dead-letter-exchange", DEAD_LETTER_EXCHANGE);
    }

    public static Map<String, Object> deadLetterQueueArguments() {
        return Map.of("x-queue-type", "quorum");
    }

    /**
     * Checks that the exchanges and queues exist (passive declares, which need no permission); the first one
     * missing fails with a 404 and closes the channel. Bindings cannot be checked this way.
     */
    public static void verify(Channel channel, Shards shards) throws IOException {
        channel.exchangeDeclarePassive(EXCHANGE);
        channel.exchangeDeclarePassive(DEAD_LETTER_EXCHANGE);
        for (String queue : shards.queues()) {
            channel.queueDeclarePassive(queue);
        }
        channel.queueDeclarePassive(DEAD_LETTER_QUEUE);
    }

    /** The single-queue topology of the contract. */
    public static void declare(Channel channel) throws IOException {
        declare(channel, Shards.ONE);
    }

    /**
     * Declares exchanges, queues (one per shard) and bindings; a no-op when they already exist with the same
     * settings.
     */
    public static void declare(Channel channel, Shards shards) throws IOException {
        channel.exchangeDeclare(EXCHANGE, BuiltinExchangeType.DIRECT, true);
        channel.exchangeDeclare(DEAD_LETTER_EXCHANGE, BuiltinExchangeType.FANOUT, true);
        for (int shard = 0; shard < shards.count(); shard++) {
            channel.queueDeclare(shards.queue(shard), true, false, false, queueArguments());
            channel.queueBind(shards.queue(shard), EXCHANGE, shards.routingKey(shard));
        }
        channel.queueDeclare(DEAD_LETTER_QUEUE, true, false, false, deadLetterQueueArguments());
        channel.queueBind(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, "");
    }
}
