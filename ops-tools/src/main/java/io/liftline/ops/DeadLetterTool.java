package io.liftline.ops;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.liftline.broker.ConfirmedPublisher;
import io.liftline.broker.DeadLetterHeader;
import io.liftline.broker.Shards;
import io.liftline.broker.Topology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Looks at and moves the messages of {@code lift-rides.dead}. Messages are taken with {@code basic.get} and left
 * unacked while the tool works, so they are invisible to anyone else; whatever the tool only looked at returns to
 * the queue, in order, when its channel closes (a replay sends the letters it does not move to the back instead). A replayed message is acked on the dead-letter queue only after
 * the broker confirmed its copy on {@code lift-rides} and did not return it as unroutable (the copy is published
 * mandatory): nothing is lost, and nothing is moved twice. Replay streams: at most {@link #REPLAY_WINDOW} messages
 * are unacked at a time, and only the summary of a moved letter (not its body) is kept.
 */
final class DeadLetterTool {

    /** One dead letter as the tool shows it. */
    record DeadLetter(
            long tag,
            String eventId,
            String reason,
            String detail,
            Instant deadLetteredAt,
            String source,
            AMQP.BasicProperties properties,
            byte[] body) {
        DeadLetter withoutBody() {
            return new DeadLetter(tag, eventId, reason, detail, deadLetteredAt, source, null, new byte[0]);
        }
    }

    /** What a replay did: the letters moved (or, dry, that would be), and those whose copy reached no queue. */
    record Replay(List<DeadLetter> moved, List<DeadLetter> unroutable) {}

    /** Copies published before the tool waits for their confirms; bounds its memory and the broker's unacked. */
    static final int REPLAY_WINDOW = 200;

    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);

    private final Connection connection;

    DeadLetterTool(Connection connection) {
        this.connection = connection;
    }

    /** Up to {@code limit} dead letters, oldest first; all stay in the queue. */
    List<DeadLetter> list(int limit) throws IOException, TimeoutException {
        try (Channel channel = connection.createChannel()) {
            return take(channel, limit);
        }
    }

    /**
     * Moves the dead letters that match (a reason, and/or older than an age) back to {@code lift-rides}. A copy
     * the broker returns (no queue bound to take it) leaves its original in {@code lift-rides.dead}. A letter that
     * does not match goes to the back of {@code lift-rides.dead} the same way (copy confirmed, then the original
     * acked), so the tool never holds more than a window of messages unacked, whatever the queue holds; a dry run
     * only reads, and holds what it read until it ends.
     */
    Replay replay(String reason, Duration olderThan, boolean dryRun)
            throws IOException, TimeoutException, InterruptedException {
        List<DeadLetter> moved = new ArrayList<>();
        List<DeadLetter> unroutable = new ArrayList<>();
        try (Channel channel = connection.createChannel();
                Channel publishing = connection.createChannel()) {
            // Copies keep their message id, so the publisher tells a returned one by exchange and id.
            ConfirmedPublisher publisher = new ConfirmedPublisher(publishing);
            Instant cutoff = olderThan == null ? null : Instant.now().minus(olderThan);
            // Only the letters there now: those sent to the back are not met again.
            long count = channel.queueDeclarePassive(Topology.DEAD_LETTER_QUEUE).getMessageCount();
            List<Pending> window = new ArrayList<>(REPLAY_WINDOW);
            for (long i = 0; i < count; i++) {
                GetResponse response = channel.basicGet(Topology.DEAD_LETTER_QUEUE, false);
                if (response == null) {
                    break;
                }
                DeadLetter letter = describe(response);
                boolean matches = (reason == null || reason.equals(letter.reason()))
                        && (cutoff == null
                                || (letter.deadLetteredAt() != null
                                        && letter.deadLetteredAt().isBefore(cutoff)));
                if (dryRun) {
                    if (matches) {
                        moved.add(letter.withoutBody());
                    }
                    continue;
                }
                if (matches) {
                    // Back to the queue it came from: with shards, the skier's shard (lift-rides.2 → ride.2).
                    publisher.publish(
                            Topology.EXCHANGE,
                            Shards.routingKeyOf(letter.source()),
                            copyProperties(letter),
                            letter.body());
                } else {
                    publisher.publish(Topology.DEAD_LETTER_EXCHANGE, "", letter.properties(), letter.body());
                }
                window.add(
                        new Pending(letter.withoutBody(), matches ? Topology.EXCHANGE : Topology.DEAD_LETTER_EXCHANGE));
                if (window.size() == REPLAY_WINDOW) {
                    settle(channel, publisher, window, moved, unroutable);
                }
            }
            settle(channel, publisher, window, moved, unroutable);
        }
        return new Replay(moved, unroutable);
    }

    /**
     * A letter whose copy went to {@code exchange}: lift-rides to replay it, or lift-rides.dlx to send it to the back
     * of lift-rides.dead (through the exchange, not the default one, so the ops user needs write on no other).
     */
    private record Pending(DeadLetter letter, String exchange) {
        boolean replayed() {
            return exchange.equals(Topology.EXCHANGE);
        }
    }

    /** Waits for the window's confirms, then acks each original whose copy was routed; a nack throws, acking none. */
    private static void settle(
            Channel channel,
            ConfirmedPublisher publisher,
            List<Pending> window,
            List<DeadLetter> moved,
            List<DeadLetter> unroutable)
            throws IOException, InterruptedException, TimeoutException {
        if (window.isEmpty()) {
            return;
        }
        Set<String> returned = new HashSet<>();
        publisher.awaitConfirms(CONFIRM_TIMEOUT).forEach(r -> returned.add(r.exchange() + "/" + r.messageId()));
        for (Pending pending : window) {
            if (returned.contains(pending.exchange() + "/" + pending.letter().eventId())) {
                if (pending.replayed()) {
                    unroutable.add(pending.letter()); // stays unacked: back in lift-rides.dead when the channel closes
                }
            } else {
                channel.basicAck(pending.letter().tag(), false);
                if (pending.replayed()) {
                    moved.add(pending.letter());
                }
            }
        }
        window.clear();
    }

    private static AMQP.BasicProperties copyProperties(DeadLetter letter) {
        Map<String, Object> headers = new HashMap<>();
        if (letter.properties().getHeaders() != null) {
            headers.putAll(letter.properties().getHeaders());
        }
        headers.remove("x-death"); // the broker's count would otherwise follow the message back
        headers.put(DeadLetterHeader.REPLAYED_AT.key(), Instant.now().toString());
        return letter.properties().builder().headers(headers).build();
    }

    /** Deletes every dead letter; returns how many there were. */
    long purge() throws IOException, TimeoutException {
        try (Channel channel = connection.createChannel()) {
            return channel.queuePurge(Topology.DEAD_LETTER_QUEUE).getMessageCount();
        }
    }

    /** Takes (unacked) every message that was in the queue when called, up to the limit. */
    private static List<DeadLetter> take(Channel channel, int limit) throws IOException {
        long count = channel.queueDeclarePassive(Topology.DEAD_LETTER_QUEUE).getMessageCount();
        List<DeadLetter> letters = new ArrayList<>();
        for (long i = 0; i < count && letters.size() < limit; i++) {
            GetResponse response = channel.basicGet(Topology.DEAD_LETTER_QUEUE, false);
            if (response == null) {
                break;
            }
            letters.add(describe(response));
        }
        return letters;
    }

    @SuppressWarnings("unchecked")
    private static DeadLetter describe(GetResponse response) {
        AMQP.BasicProperties props = response.getProps();
        Map<String, Object> headers = props.getHeaders() == null ? Map.of() : props.getHeaders();
        String reason = text(headers.get(DeadLetterHeader.REASON.key()));
        String detail = text(headers.get(DeadLetterHeader.DETAIL.key()));
        Instant at = parse(text(headers.get(DeadLetterHeader.DEAD_LETTERED_AT.key())));
        String source = text(headers.get(DeadLetterHeader.SOURCE_QUEUE.key()));
        Object deaths = headers.get("x-death");
        if (deaths instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> first) {
            Map<String, Object> death = (Map<String, Object>) first;
            reason = reason != null ? reason : text(death.get("reason"));
            source = source != null ? source : text(death.get("queue"));
            if (at == null && death.get("time") instanceof Date time) {
                at = time.toInstant();
            }
        }
        return new DeadLetter(
                response.getEnvelope().getDeliveryTag(),
                props.getMessageId(),
                reason == null ? "unknown" : reason,
                detail == null ? "" : detail,
                at,
                source == null ? "" : source,
                props,
                response.getBody());
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private static Instant parse(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static Table table(List<DeadLetter> letters, boolean withBody) {
        Table table = withBody
                ? new Table("eventId", "reason", "deadLetteredAt", "source", "detail", "body")
                : new Table("eventId", "reason", "deadLetteredAt", "source", "detail");
        for (DeadLetter l : letters) {
            String at = l.deadLetteredAt() == null ? "" : l.deadLetteredAt().toString();
            if (withBody) {
                table.add(
                        l.eventId(),
                        l.reason(),
                        at,
                        l.source(),
                        l.detail(),
                        new String(l.body(), StandardCharsets.UTF_8));
            } else {
                table.add(l.eventId(), l.reason(), at, l.source(), l.detail());
            }
        }
        return table;
    }
}
