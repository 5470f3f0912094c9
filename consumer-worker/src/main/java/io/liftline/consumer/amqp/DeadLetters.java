package io.liftline.consumer.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Envelope;
import io.liftline.broker.ConfirmedPublisher;
import io.liftline.broker.Topology;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Sends a poison message to {@code lift-rides.dead} with headers saying why and where it came from. The copy is
 * published mandatory and confirmed by the broker before the original is acked: a copy that reached no queue
 * comes back (basic.return) and counts as not sent, so a dead letter is never lost between the two.
 */
final class DeadLetters {

    static final String REASON = "x-liftline-reason";
    static final String DETAIL = "x-liftline-detail";
    static final String SOURCE_QUEUE = "x-liftline-source-queue";
    static final String SOURCE_EXCHANGE = "x-liftline-source-exchange";
    static final String SOURCE_ROUTING_KEY = "x-liftline-source-routing-key";
    static final String DEAD_LETTERED_AT = "x-liftline-dead-lettered-at";
    static final String CONSUMER = "x-liftline-consumer";

    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_DETAIL = 1_000;

    private final Channel channel;
    private final ConfirmedPublisher publisher;
    private final String consumerName;
    private final String sourceQueue;

    /** @param channel a channel of its own; it is put in confirm mode here */
    DeadLetters(Channel channel, String consumerName, String sourceQueue) throws IOException {
        this.sourceQueue = sourceQueue;
        this.channel = channel;
        this.publisher = new ConfirmedPublisher(channel);
        this.consumerName = consumerName;
    }

    boolean isOpen() {
        return channel.isOpen();
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
        headers.put(SOURCE_QUEUE, sourceQueue);
        headers.put(SOURCE_EXCHANGE, envelope.getExchange());
        headers.put(SOURCE_ROUTING_KEY, envelope.getRoutingKey());
        headers.put(DEAD_LETTERED_AT, Instant.now().toString());
        headers.put(CONSUMER, consumerName);
        publisher.publish(
                Topology.DEAD_LETTER_EXCHANGE,
                envelope.getRoutingKey(),
                original.builder().headers(headers).build(),
                body);
        // A timed-out channel stays open (a close would wait on a blocked connection) and is abandoned (see close()).
        if (!publisher.awaitConfirms(CONFIRM_TIMEOUT).isEmpty()) {
            throw new IOException(Topology.DEAD_LETTER_EXCHANGE + " routed the copy to no queue (is "
                    + Topology.DEAD_LETTER_QUEUE + " bound?)");
        }
    }

    /**
     * Closes the channel on another thread: after a confirm timeout the connection may be blocked by an alarm, and a
     * close waits for the broker's answer. A copy still unconfirmed may then reach the queue after all, next to the
     * original the consumer rejected to the broker's dead-lettering: a duplicate dead letter, never a lost one.
     */
    void close() {
        if (channel.isOpen()) {
            CLOSER.execute(() -> {
                try {
                    channel.abort();
                } catch (IOException | RuntimeException alreadyClosed) {
                    // closed with its connection
                }
            });
        }
    }

    private static final java.util.concurrent.Executor CLOSER =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "dead-letter-channel-close");
                t.setDaemon(true);
                return t;
            });
}
