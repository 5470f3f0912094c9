package io.liftline.consumer.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Envelope;
import io.liftline.broker.ConfirmedPublisher;
import io.liftline.broker.DeadLetterHeader;
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
        headers.put(DeadLetterHeader.REASON.key(), poison.reason());
        headers.put(
                DeadLetterHeader.DETAIL.key(),
                detail.length() <= MAX_DETAIL ? detail : detail.substring(0, MAX_DETAIL) + "...");
        headers.put(DeadLetterHeader.SOURCE_QUEUE.key(), sourceQueue);
        headers.put(DeadLetterHeader.SOURCE_EXCHANGE.key(), envelope.getExchange());
        headers.put(DeadLetterHeader.SOURCE_ROUTING_KEY.key(), envelope.getRoutingKey());
        headers.put(DeadLetterHeader.DEAD_LETTERED_AT.key(), Instant.now().toString());
        headers.put(DeadLetterHeader.CONSUMER.key(), consumerName);
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
