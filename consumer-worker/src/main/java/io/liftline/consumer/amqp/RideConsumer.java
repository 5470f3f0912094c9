package io.liftline.consumer.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.github.resilience4j.retry.Retry;
import io.liftline.broker.BrokerConnection;
import io.liftline.broker.Topology;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.consumer.health.ConsumerMetrics;
import io.liftline.consumer.mongo.RideSink;
import io.liftline.consumer.mongo.RideStore;
import io.liftline.model.LiftRide;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One competing consumer: its own channel with a prefetch, deliveries gathered into batches of up to B rides
 * or T ms, each batch written with one unordered insert and acked with {@code basicAck(lastTag, true)} only
 * after the write. Poison goes to the dead-letter queue without holding up the good rides around it. While
 * the store is down the batch is held un-acked and retried; prefetch bounds what waits behind it.
 */
public final class RideConsumer implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(RideConsumer.class);
    private static final long IDLE_POLL_MS = 100;

    /** A delivery, with the channel it arrived on: its tag means nothing on any other channel. */
    private record Delivery(Channel channel, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
    }

    private final String name;
    private final BrokerConnection broker;
    private final RideSink store;
    private final ConsumerConfig config;
    private final ConsumerMetrics metrics;
    private final Retry storeRetry;
    private final RideDecoder decoder;
    private final BlockingQueue<Delivery> buffer = new LinkedBlockingQueue<>();

    private volatile boolean stopping;
    private volatile boolean subscribed;
    private Channel channel;
    private String consumerTag;
    private DeadLetters deadLetters;

    public RideConsumer(String name, BrokerConnection broker, RideSink store, ConsumerConfig config,
                        ConsumerMetrics metrics, Retry storeRetry) {
        this.name = name;
        this.broker = broker;
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

    public boolean isSubscribed() {
        return subscribed && channel != null && channel.isOpen();
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
        try {
            closeChannels();
            buffer.clear(); // deliveries of a closed channel are redelivered by the broker; their tags are dead
            channel = connection.createChannel();
            channel.basicQos(config.prefetch());
            deadLetters = new DeadLetters(connection.createChannel(), name);
            Channel ch = channel;
            consumerTag = channel.basicConsume(Topology.QUEUE, false, name, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    buffer.add(new Delivery(ch, envelope, properties, body));
                }
            });
            subscribed = true;
            log.info("{}: consuming {} (prefetch {}, batches of up to {} rides or {} ms)", name, Topology.QUEUE,
                    config.prefetch(), config.batchSize(), config.batchTimeout().toMillis());
            return true;
        } catch (IOException | RuntimeException e) {
            log.warn("{}: cannot subscribe to {}: {}", name, Topology.QUEUE, e.getMessage());
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
        Delivery lastGood = null;
        for (Delivery delivery : batch) {
            try {
                rides.add(decoder.decode(delivery.properties(), delivery.body()));
                lastGood = delivery;
            } catch (Poison poison) {
                deadLetter(delivery, poison);
            }
        }
        if (lastGood == null) {
            return;
        }
        long start = System.nanoTime();
        RideStore.WriteResult result = write(rides);
        metrics.batchWritten(rides.size(), result.inserted(), result.duplicates(), System.nanoTime() - start);
        ack(lastGood);
    }

    /** Writes the batch, retrying with backoff for as long as the store fails; never gives a batch up. */
    private RideStore.WriteResult write(List<LiftRide> rides) throws InterruptedException {
        while (true) {
            try {
                return storeRetry.executeSupplier(() -> store.insert(rides));
            } catch (RuntimeException e) {
                // Interrupted at shutdown (the batch goes back to the queue unacked), or a failure the retry does
                // not classify as transient: hold the batch and try again rather than lose or dead-letter it.
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("store write abandoned at shutdown");
                }
                log.warn("{}: batch write failed ({}); holding {} rides and trying again", name, e.toString(), rides.size());
                Thread.sleep(config.storeRetryMaxBackoff().toMillis());
            }
        }
    }

    /** Acks every delivery of the batch up to this one (poison was settled on its own already). */
    private void ack(Delivery last) {
        try {
            last.channel().basicAck(last.envelope().getDeliveryTag(), true);
        } catch (IOException | RuntimeException e) {
            // The channel died after the write: the broker redelivers the batch and the store drops the duplicates.
            log.warn("{}: ack failed ({}); the batch will be redelivered and deduplicated", name, e.getMessage());
        }
    }

    private void deadLetter(Delivery delivery, Poison poison) {
        metrics.deadLettered(poison.reason());
        long tag = delivery.envelope().getDeliveryTag();
        try {
            deadLetters.send(delivery.envelope(), delivery.properties(), delivery.body(), poison);
            delivery.channel().basicAck(tag, false);
            log.warn("{}: dead-lettered message {} ({}: {})", name, delivery.properties().getMessageId(), poison.reason(),
                    poison.getMessage());
        } catch (Exception e) {
            // The copy may not have reached the dead-letter queue: let the broker dead-letter the original instead.
            log.warn("{}: dead-letter copy failed ({}); rejecting message {} to the queue's dead-letter exchange", name,
                    e.getMessage(), delivery.properties().getMessageId());
            try {
                delivery.channel().basicNack(tag, false, false);
            } catch (IOException | RuntimeException nackFailed) {
                log.warn("{}: reject failed too ({}); the broker will redeliver it", name, nackFailed.getMessage());
            }
        }
    }

    /** Shutdown: stop deliveries, then write and ack everything already delivered (the final ack). */
    private void cancelAndDrain() throws InterruptedException {
        if (isSubscribed()) {
            try {
                channel.basicCancel(consumerTag);
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
        subscribed = false;
        if (deadLetters != null) {
            deadLetters.close();
            deadLetters = null;
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
