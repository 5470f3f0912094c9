package io.liftline.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Publishes on one channel in confirm mode, every message mandatory, and waits until the broker holds them: the
 * one way a tool, a benchmark, a test or the worker's dead-lettering publishes and knows it arrived.
 *
 * <p>{@link #awaitConfirms} answers which of the messages published since the last call reached no queue (a
 * {@code basic.return}, which the broker sends before the confirm of the same message); it throws when the
 * broker refused one (a nack) or did not confirm in time. It never closes the channel on a timeout, as
 * {@code waitForConfirmsOrDie} does: that close waits for the broker's close-ok, which a connection blocked by a
 * resource alarm never gets. Returned messages are told apart by exchange and message id. The producer's
 * asynchronous confirms, one callback per publish, are {@code ConfirmChannel}'s job, not this.
 *
 * <p>Not thread-safe: one thread publishes and awaits.
 */
public final class ConfirmedPublisher {

    /** One message published and not yet settled by {@link #awaitConfirms}. */
    public record Published(String exchange, String routingKey, String messageId) {}

    private final Channel channel;
    private final Set<String> returned = ConcurrentHashMap.newKeySet();
    private final List<Published> unsettled = new ArrayList<>();

    /** @param channel a channel of its own; it is put in confirm mode here */
    public ConfirmedPublisher(Channel channel) throws IOException {
        this.channel = channel;
        channel.confirmSelect();
        channel.addReturnListener(
                r -> returned.add(key(r.getExchange(), r.getProperties().getMessageId())));
    }

    /** Publishes a persistent copy of {@code properties} mandatory; {@link #awaitConfirms} tells whether it arrived. */
    public void publish(String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body)
            throws IOException {
        AMQP.BasicProperties persistent = properties.getDeliveryMode() != null && properties.getDeliveryMode() == 2
                ? properties
                : properties.builder().deliveryMode(2).build();
        unsettled.add(new Published(exchange, routingKey, properties.getMessageId()));
        channel.basicPublish(exchange, routingKey, true, persistent, body);
    }

    /** Messages published since the last {@link #awaitConfirms}. */
    public int unsettled() {
        return unsettled.size();
    }

    /**
     * Waits for the broker to confirm every message published since the last call.
     *
     * @return those of them that reached no queue (returned), in the order published; empty when all arrived
     * @throws IOException when the broker refused one of them (a nack): none of them counts as held
     * @throws TimeoutException when not all were confirmed within {@code timeout}; the channel stays open
     */
    public List<Published> awaitConfirms(Duration timeout) throws IOException, InterruptedException, TimeoutException {
        if (unsettled.isEmpty()) {
            return List.of();
        }
        try {
            if (!channel.waitForConfirms(timeout.toMillis())) {
                throw new IOException(
                        "the broker refused (nacked) a message of the last " + unsettled.size() + " published");
            }
            List<Published> unroutable = new ArrayList<>();
            for (Published published : unsettled) {
                // contains, not remove: of two copies with one id, neither counts as arrived (kept, never lost)
                if (returned.contains(key(published.exchange(), published.messageId()))) {
                    unroutable.add(published);
                }
            }
            return unroutable;
        } finally {
            unsettled.clear();
            returned.clear();
        }
    }

    public Channel channel() {
        return channel;
    }

    private static String key(String exchange, String messageId) {
        return exchange + "/" + messageId;
    }
}
