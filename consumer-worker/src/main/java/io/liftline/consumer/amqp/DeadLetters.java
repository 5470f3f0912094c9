package io.liftline.consumer.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Envelope;
import io.liftline.broker.Topology;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Sends a poison message to {@code lift-rides.dead} with headers saying why and where it came from. The copy is
 * confirmed by the broker before the original is acked, so a dead letter is never lost between the two.
 */
final class DeadLetters {

    static final String REASON = "x-liftline-reason";
    static final String DETAIL = "x-liftline-detail";
    static final String SOURCE_QUEUE = "x-liftline-source-queue";
    static final String SOURCE_EXCHANGE = "x-liftline-source-exchange";
    static final String SOURCE_ROUTING_KEY = "x-liftline-source-routing-key";
    static final String DEAD_LETTERED_AT = "x-liftline-dead-lettered-at";
    static final String CONSUMER = "x-liftline-consumer";

    private static final long CONFIRM_TIMEOUT_MS = 5_000;
    private static final int MAX_DETAIL = 1_000;

    private final Channel channel;
    private final String consumerName;

    /** @param channel a channel of its own; it is put in confirm mode here */
    DeadLetters(Channel channel, String consumerName) throws IOException {
        this.channel = channel;
        this.consumerName = consumerName;
        channel.confirmSelect();
    }

    /** Publishes the copy and waits for its confirm; throws when the broker did not take it. */
    void send(Envelope envelope, AMQP.BasicProperties original, byte[] body, Poison poison)
            throws IOException, InterruptedException, TimeoutException {
        Map<String, Object> headers = new HashMap<>();
        if (original.getHeaders() != null) {
            headers.putAll(original.getHeaders());
        }
        String detail = poison.getMessage();
        headers.put(REASON, poison.reason());
        headers.put(DETAIL, detail.length() <= MAX_DETAIL ? detail : detail.substring(0, MAX_DETAIL) + "...");
        headers.put(SOURCE_QUEUE, Topology.QUEUE);
        headers.put(SOURCE_EXCHANGE, envelope.getExchange());
        headers.put(SOURCE_ROUTING_KEY, envelope.getRoutingKey());
        headers.put(DEAD_LETTERED_AT, Instant.now().toString());
        headers.put(CONSUMER, consumerName);
        AMQP.BasicProperties properties = original.builder().headers(headers).deliveryMode(2).build();
        channel.basicPublish(Topology.DEAD_LETTER_EXCHANGE, envelope.getRoutingKey(), properties, body);
        channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MS);
    }

    void close() {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | RuntimeException alreadyClosed) {
            // closing with the connection: nothing is pending here after send() returned
        }
    }
}
