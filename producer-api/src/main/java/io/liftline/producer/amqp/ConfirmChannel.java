package io.liftline.producer.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A channel in confirm mode that tracks its own unconfirmed publishes, so it can carry many at once and each
 * caller waits only for its own sequence numbers (the technique of RabbitMQ PerfTest's producer).
 *
 * <p>Publishing is single-threaded (the pool lends the channel to one caller at a time); confirms, returns and
 * shutdown arrive on the connection's thread. Sequence numbers are per channel, so this state lives here.
 */
final class ConfirmChannel {

    /** One publish awaiting its confirm. */
    private record Pending(String messageId, String routingKey, CompletableFuture<Void> confirmed) {}

    private final Channel channel;
    private final ConcurrentSkipListMap<Long, Pending> unconfirmed = new ConcurrentSkipListMap<>();
    /** Message ids the broker returned as unroutable; the return always precedes that message's ack. */
    private final Set<String> returned = ConcurrentHashMap.newKeySet();

    private final Semaphore inFlight;
    private final PublishListener listener;
    private volatile ShutdownSignalException closedBy;
    /** Set when a publish threw: the channel's state is unknown, so the pool must not lend it again. */
    private volatile boolean broken;
    /** The routing keys (one queue each) the broker has confirmed a publish to on this channel. */
    private final Set<String> confirmedKeys = ConcurrentHashMap.newKeySet();
    /**
     * Set when the broker nacks this channel's publish to a queue it has never confirmed one to on it. RabbitMQ 3.10
     * answers a channel's first publish to a quorum queue with an RPC to the member the queue's record names first
     * (the leader when the channel looked); if that node is down, it nacks, keeps nothing, and asks the same node
     * next time, so the channel stays nacked for as long as that node is down, long after a new leader is elected.
     * A fresh channel sees the new leader. A queue at its max length nacks too, but a channel that has published to
     * it before keeps its place (no churn under a long overload).
     */
    private volatile boolean refusedFromTheStart;

    ConfirmChannel(Channel channel, int maxInFlight, PublishListener listener) throws IOException {
        this.channel = channel;
        this.inFlight = new Semaphore(maxInFlight);
        this.listener = listener;
        channel.confirmSelect();
        channel.addConfirmListener(
                (seq, multiple) -> settle(seq, multiple, true), (seq, multiple) -> settle(seq, multiple, false));
        channel.addReturnListener(r -> {
            returned.add(String.valueOf(r.getProperties().getMessageId()));
            listener.returned();
        });
        channel.addShutdownListener(this::failAll);
    }

    /**
     * Publishes one persistent, mandatory message. The future completes when the broker confirms it, and fails
     * with a {@link PublishException} on nack, return or channel closure.
     *
     * @param deadlineNanos the {@link System#nanoTime()} by which in-flight capacity must be free
     */
    CompletableFuture<Void> publish(
            String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body, long deadlineNanos)
            throws PublishException, InterruptedException {
        if (!inFlight.tryAcquire(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS)) {
            throw new PublishException.ConfirmTimeout("no confirm capacity: " + unconfirmed.size()
                    + " publishes in flight on the channel stayed unconfirmed until the publish timeout");
        }
        Pending pending = new Pending(properties.getMessageId(), routingKey, new CompletableFuture<>());
        pending.confirmed().whenComplete((ok, failure) -> inFlight.release());
        long seq = channel.getNextPublishSeqNo();
        unconfirmed.put(seq, pending);
        try {
            channel.basicPublish(exchange, routingKey, true, properties, body);
            listener.published();
        } catch (IOException | RuntimeException e) {
            broken = true;
            unconfirmed.remove(seq);
            pending.confirmed()
                    .completeExceptionally(new PublishException.ChannelClosed("publish failed: " + e.getMessage(), e));
        }
        return pending.confirmed();
    }

    private void settle(long seq, boolean multiple, boolean ack) {
        if (multiple) {
            NavigableMap<Long, Pending> settled = unconfirmed.headMap(seq, true);
            for (Pending pending : settled.values()) {
                complete(pending, ack);
            }
            settled.clear();
        } else {
            Pending pending = unconfirmed.remove(seq);
            if (pending != null) {
                complete(pending, ack);
            }
        }
    }

    private void complete(Pending pending, boolean ack) {
        if (!ack) {
            if (!confirmedKeys.contains(pending.routingKey()) && !refusedFromTheStart) {
                refusedFromTheStart = true; // counted once: only the confirm listener's thread settles
                listener.channelRefused();
            }
            listener.nacked();
            pending.confirmed()
                    .completeExceptionally(new PublishException.Nacked(
                            "the broker refused the message (nack), e.g. the queue is at its max length"));
        } else if (!returned.isEmpty() && returned.remove(pending.messageId())) {
            pending.confirmed()
                    .completeExceptionally(
                            new PublishException.Returned("the broker could not route the message to a queue"));
        } else {
            confirmedKeys.add(pending.routingKey());
            listener.confirmed();
            pending.confirmed().complete(null);
        }
    }

    private void failAll(ShutdownSignalException cause) {
        closedBy = cause;
        for (Map.Entry<Long, Pending> entry : unconfirmed.entrySet()) {
            if (unconfirmed.remove(entry.getKey(), entry.getValue())) {
                entry.getValue()
                        .confirmed()
                        .completeExceptionally(new PublishException.ChannelClosed(
                                "channel closed before the broker confirmed: " + cause.getMessage(), cause));
            }
        }
    }

    /** Whether the broker nacked a publish to a queue this channel never had a confirm from (see the field). */
    boolean refusedFromTheStart() {
        return refusedFromTheStart;
    }

    /** False once the channel has closed or is refused from the start: the pool then replaces it. */
    boolean isUsable() {
        return !broken && !refusedFromTheStart && closedBy == null && channel.isOpen();
    }

    int unconfirmedCount() {
        return unconfirmed.size();
    }

    /** Closes the channel; its shutdown listener fails whatever is still unconfirmed. */
    void close() {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | RuntimeException alreadyClosing) {
            // closed under us (connection loss): the shutdown listener has run or is running
        }
    }
}
