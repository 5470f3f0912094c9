package io.liftline.broker;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import io.liftline.model.RideJson;
import java.io.IOException;
import java.util.Map;

/**
 * The broker topology of the contract, declared idempotently by both applications at start.
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

    private Topology() {
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
    public static void verify(Channel channel) throws IOException {
        channel.exchangeDeclarePassive(EXCHANGE);
        channel.exchangeDeclarePassive(DEAD_LETTER_EXCHANGE);
        channel.queueDeclarePassive(QUEUE);
        channel.queueDeclarePassive(DEAD_LETTER_QUEUE);
    }

    /** Declares exchanges, queues and bindings; a no-op when they already exist with the same settings. */
    public static void declare(Channel channel) throws IOException {
        channel.exchangeDeclare(EXCHANGE, BuiltinExchangeType.DIRECT, true);
        channel.exchangeDeclare(DEAD_LETTER_EXCHANGE, BuiltinExchangeType.FANOUT, true);
        channel.queueDeclare(QUEUE, true, false, false, queueArguments());
        channel.queueDeclare(DEAD_LETTER_QUEUE, true, false, false, deadLetterQueueArguments());
        channel.queueBind(QUEUE, EXCHANGE, ROUTING_KEY);
        channel.queueBind(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, "");
    }
}
