package io.liftline.consumer.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.github.resilience4j.retry.Retry;
import io.liftline.broker.BrokerConnection;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.consumer.health.ConsumerMetrics;
import io.liftline.consumer.mongo.RideSink;
import io.liftline.model.LiftRide;
import io.liftline.store.RideStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One competing consumer: its own channel with a prefetch, deliveries gathered into batches of up to B rides
 * or T ms, each batch written with one unordered insert and acked with {@code basicAck(lastTag, true)} only
 * after the write. Poison, and rides the store rejects one by one, go to the dead-letter queue without holding
 * up the good rides around them. While the store is down the batch is held un-acked and retried; prefetch
 * bounds what waits behind it.
 *
 * <p>The client recovers connections and channels but not consumers (topology recovery is off), and the
 * broker may cancel a consumer itself (queue deleted, leader moved). Either way the subscription is marked
 * lost, the consumer is not ready, and the loop subscribes again on a new channel.
 */
public final class RideConsumer implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(RideConsumer.class);
    private static final long IDLE_POLL_MS = 100;

    /** A delivery, with the channel it arrived on: its tag means nothing on any other channel. */
    private record Delivery(Channel channel, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {}

    private final String name;
    private final String queue;
    private final BrokerConnection broker;
    private final BrokerConnection deadLetterBroker;
    private final RideSink store;
    private final ConsumerConfig config;
    private final ConsumerMetrics metrics;
    private final Retry storeRetry;
    private final RideDecoder decoder;
    private final BlockingQueue<Delivery> buffer = new LinkedBlockingQueue<>();
    /** When the store step in flight began ({@link System#nanoTime()}), or {@link #NO_STEP} while none is. */
    private volatile long storeStepSince = NO_STEP;

    private static final long NO_STEP = Long.MIN_VALUE;
    private static final long DEAD_LETTER_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** By dead-letter reason; only this consumer's thread dead-letters. */
    private final Map<String, LogWindow> deadLetterLines = new HashMap<>();

    private volatile boolean stopping;
    private volatile Subscription subscription;
    private Channel channel;
    private DeadLetters deadLetters;
    private String lastSubscribeFailure;

    /**
     * @param queue the queue it consumes: {@code lift-rides}, or one shard's {@code lift-rides.N}
     * @param broker the connection to consume and ack on
     * @param deadLetterBroker a connection of its own for dead-letter copies: a resource alarm blocks a connection
     *                         that publishes, and acks on a blocked connection would stall with it
     * @param storeRetry the one retry policy of a batch write: it must retry every failure, for as long as it lasts
     */
    public RideConsumer(
            String name,
            String queue,
            BrokerConnection broker,
            BrokerConnection deadLetterBroker,
            RideSink store,
            ConsumerConfig config,
            ConsumerMetrics metrics,
            Retry storeRetry) {
        this.name = name;
        this.queue = queue;
        this.broker = broker;
        this.deadLetterBroker = deadLetterBroker;
        this.store = store;
        this.config = config;
        this.metrics = metrics;
        this.storeRetry = storeRetry;
        this.decoder = new RideDecoder(config.ranges());
    }

    /** Asks the consumer to stop taking messages, finish (write and ack) what it holds, and return from run(). */
    public void stop() {
        stopping = true;
    }

    /**
     * How long the store step in flight (a batch write or its summaries, retries included) has waited so far; zero
     * while none is. A hung store answers nothing and fails nothing until the read timeout: this shows it sooner.
     */
    public Duration storeWait() {
        long since = storeStepSince;
        return since == NO_STEP ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
    }

    /** True while the broker delivers to this consumer: subscribed, and neither cancelled nor closed since. */
    public boolean isSubscribed() {
        Subscription current = subscription;
        return current != null && current.live;
    }

    /** The broker's consumer on one channel; it goes dead on a cancel from the broker or a channel closure. */
    private final class Subscription extends DefaultConsumer {
        private volatile boolean live = true;

        Subscription(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            buffer.add(new Delivery(getChannel(), envelope, properties, body));
        }

        @Override
        public void handleCancel(String tag) {
            live = false;
            log.warn(
                    "{}: the broker cancelled the subscription to {} (queue deleted or moved); subscribing again",
                    name,
                    queue);
        }

        @Override
        public void handleShutdownSignal(String tag, ShutdownSignalException cause) {
            live = false;
            if (!cause.isInitiatedByApplication() && !cause.isHardError()) {
                // a channel error; a lost connection is logged once by BrokerConnection
                log.warn("{}: channel closed by the broker ({}); subscribing again", name, cause.getMessage());
            }
        }
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                if (!isSubscribed() && !subscribe()) {
                    Thread.sleep(BrokerConnection.DEFAULT_RETRY_INTERVAL.toMillis());
                    continue;
                }
                process(nextBatch());
            }
            cancelAndDrain();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("{}: interrupted; {} held messages go back to the queue unacked", name, buffer.size());
        } finally {
            closeChannels();
        }
    }

    private boolean subscribe() {
        Connection connection = broker.connection();
        if (connection == null) {
            return false;
        }
        boolean again = subscription != null;
        try {
            closeChannel();
            buffer.clear(); // deliveries of a closed channel are redelivered by the broker; their tags are dead
            broker.ensureTopology(); // idempotent; brings back a queue whose deletion cancelled us
            Channel ch = connection.createChannel();
            channel = ch;
            ch.basicQos(config.prefetch());
            Subscription next = new Subscription(ch);
            ch.basicConsume(queue, false, name, next);
            subscription = next;
            lastSubscribeFailure = null;
            log.info(
                    "{}: consuming {}{} (prefetch {}, batches of up to {} rides or {} ms)",
                    name,
                    queue,
                    again ? " again" : "",
                    config.prefetch(),
                    config.batchSize(),
                    config.batchTimeout().toMillis());
            return true;
        } catch (IOException | TimeoutException | RuntimeException e) {
            String failure = BrokerConnection.describe(e);
            if (!failure.equals(lastSubscribeFailure)) { // one line per new reason, not one per retry
                log.warn(
                        "{}: cannot subscribe to {} ({}); retrying every {} ms",
                        name,
                        queue,
                        failure,
                        BrokerConnection.DEFAULT_RETRY_INTERVAL.toMillis());
                lastSubscribeFailure = failure;
            }
            return false;
        }
    }

    /** Up to batchSize deliveries: waits for a first one, then at most batchTimeout for the rest. */
    private List<Delivery> nextBatch() throws InterruptedException {
        Delivery first = buffer.poll(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
        if (first == null) {
            return List.of();
        }
        List<Delivery> batch = new ArrayList<>(config.batchSize());
        batch.add(first);
        long deadline = System.nanoTime() + config.batchTimeout().toNanos();
        while (batch.size() < config.batchSize()) {
            buffer.drainTo(batch, config.batchSize() - batch.size());
            long left = deadline - System.nanoTime();
            if (batch.size() >= config.batchSize() || left <= 0) {
                break;
            }
            Delivery next = buffer.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
        }
        return batch;
    }

    private void process(List<Delivery> batch) throws InterruptedException {
        if (batch.isEmpty()) {
            return;
        }
        List<LiftRide> rides = new ArrayList<>(batch.size());
        List<Delivery> written = new ArrayList<>(batch.size());
        for (Delivery delivery : batch) {
            try {
                rides.add(decoder.decode(delivery.properties(), delivery.body()));
                written.add(delivery);
            } catch (Poison poison) {
                deadLetter(delivery, poison);
            }
        }
        if (rides.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        RideStore.WriteResult result = write(rides);
        metrics.batchWritten(rides.size(), result.inserted(), result.duplicates(), System.nanoTime() - start);
        Set<Integer> rejected = new HashSet<>();
        for (RideStore.Rejected rejection : result.rejected()) {
            rejected.add(rejection.index());
        }
        // Every stored ride is counted into the read model before the ack, duplicates too: a worker that died
        // between its write and the summaries' counts the ride now, and one already counted is not counted again.
        List<LiftRide> stored = new ArrayList<>(rides.size());
        for (int i = 0; i < rides.size(); i++) {
            if (!rejected.contains(i)) {
                stored.add(rides.get(i));
            }
        }
        long summarizing = System.nanoTime();
        run(() -> store.summarize(stored));
        metrics.summariesWritten(System.nanoTime() - summarizing);
        for (RideStore.Rejected rejection : result.rejected()) {
            deadLetter(written.get(rejection.index()), new Poison(rejection.reason(), rejection.detail()));
        }
        // Deliveries arrive in tag order: one multiple ack settles the batch up to its last stored ride. Those
        // dead-lettered were settled one by one, and acking a settled tag again would close the channel.
        for (int i = written.size() - 1; i >= 0; i--) {
            if (!rejected.contains(i)) {
                if (ack(written.get(i))) {
                    metrics.acknowledged(stored, Instant.now());
                }
                break;
            }
        }
    }

    /**
     * Writes the batch under the one store retry policy, which retries every whole-batch failure with backoff
     * for as long as it lasts: the batch is never given up, only abandoned unacked at shutdown.
     */
    private RideStore.WriteResult write(List<LiftRide> rides) throws InterruptedException {
        RideStore.WriteResult[] result = new RideStore.WriteResult[1];
        run(() -> result[0] = store.insert(rides));
        return result[0];
    }

    /** One store step under the store retry policy (see {@link #write}). */
    private void run(Runnable step) throws InterruptedException {
        storeStepSince = System.nanoTime();
        try {
            storeRetry.executeRunnable(step);
        } catch (RuntimeException e) {
            if (Thread.interrupted()) {
                throw new InterruptedException("store write abandoned at shutdown");
            }
            throw e; // the policy retries everything: this is a programming error, and the worker should stop
        } finally {
            storeStepSince = NO_STEP;
        }
    }

    /** Acks every delivery of the batch up to this one (poison was settled on its own already); false if it failed. */
    private boolean ack(Delivery last) {
        try {
            last.channel().basicAck(last.envelope().getDeliveryTag(), true);
            return true;
        } catch (IOException | RuntimeException e) {
            // The channel died after the write: the broker redelivers the batch and the store drops the duplicates.
            log.warn("{}: ack failed ({}); the batch will be redelivered and deduplicated", name, e.getMessage());
            return false;
        }
    }

    private void deadLetter(Delivery delivery, Poison poison) {
        metrics.deadLettered(poison.reason());
        long tag = delivery.envelope().getDeliveryTag();
        try {
            deadLetters().send(delivery.envelope(), delivery.properties(), delivery.body(), poison);
            delivery.channel().basicAck(tag, false);
            logDeadLettered(delivery.properties().getMessageId(), poison);
        } catch (Exception e) {
            // The copy may not have reached the dead-letter queue: let the broker dead-letter the original instead
            // (at-least-once dead-lettering keeps it in the queue until lift-rides.dead takes it).
            closeDeadLetters(); // its state is unknown after a failure: the next poison gets a fresh channel
            log.warn(
                    "{}: no dead-letter copy ({}); rejecting message {} ({}) to the queue's dead-letter exchange",
                    name,
                    BrokerConnection.describe(e),
                    delivery.properties().getMessageId(),
                    poison.reason());
            try {
                delivery.channel().basicNack(tag, false, false);
            } catch (IOException | RuntimeException nackFailed) {
                log.warn("{}: reject failed too ({}); the broker will redeliver it", name, nackFailed.getMessage());
            }
        }
    }

    /**
     * One line per reason every ten seconds at most, with how many more went since the last: a poison flood or a
     * scanner stuck on one skier must not flood the log (each dead letter is in the queue, with its headers, and
     * counted in the metrics).
     */
    private void logDeadLettered(String messageId, Poison poison) {
        long now = System.nanoTime();
        LogWindow window = deadLetterLines.computeIfAbsent(
                poison.reason(), r -> new LogWindow(now - DEAD_LETTER_LOG_INTERVAL_NANOS));
        if (now - window.loggedAt < DEAD_LETTER_LOG_INTERVAL_NANOS) {
            window.unlogged++;
            return;
        }
        log.warn(
                "{}: dead-lettered message {} ({}: {}){}",
                name,
                messageId,
                poison.reason(),
                poison.getMessage(),
                window.unlogged == 0 ? "" : "; " + window.unlogged + " more since the last such line");
        window.loggedAt = now;
        window.unlogged = 0;
    }

    /** When a reason's last dead-letter line was, and how many dead letters of it went unlogged since. */
    private static final class LogWindow {
        long loggedAt;
        long unlogged;

        LogWindow(long loggedAt) {
            this.loggedAt = loggedAt;
        }
    }

    /** The dead-letter publisher on its own connection, (re)opened when needed; throws when it cannot be. */
    private DeadLetters deadLetters() throws IOException {
        String blocked = deadLetterBroker.blockedReason();
        if (blocked != null) {
            throw new IOException("dead-letter connection blocked by a resource alarm (" + blocked + ")");
        }
        if (deadLetters != null && deadLetters.isOpen()) {
            return deadLetters;
        }
        closeDeadLetters();
        Connection connection = deadLetterBroker.connection();
        if (connection == null) {
            throw new IOException("dead-letter connection: " + deadLetterBroker.unavailableReason());
        }
        deadLetters = new DeadLetters(connection.createChannel(), name, queue);
        return deadLetters;
    }

    /** Shutdown: stop deliveries, then write and ack everything already delivered (the final ack). */
    private void cancelAndDrain() throws InterruptedException {
        if (isSubscribed()) {
            try {
                channel.basicCancel(name);
            } catch (IOException | RuntimeException e) {
                log.warn("{}: cancel failed ({}); unacked messages return to the queue", name, e.getMessage());
            }
        }
        int drained = 0;
        List<Delivery> rest;
        while (!(rest = nextBatch()).isEmpty()) {
            process(rest);
            drained += rest.size();
        }
        log.info("{}: stopped after finishing {} held messages", name, drained);
    }

    private void closeChannels() {
        closeDeadLetters();
        closeChannel();
    }

    private void closeDeadLetters() {
        if (deadLetters != null) {
            deadLetters.close();
            deadLetters = null;
        }
    }

    private void closeChannel() {
        Subscription current = subscription;
        if (current != null) {
            current.live = false;
        }
        if (channel != null) {
            try {
                if (channel.isOpen()) {
                    channel.close();
                }
            } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
                // already closed with its connection
            }
            channel = null;
        }
    }
}
