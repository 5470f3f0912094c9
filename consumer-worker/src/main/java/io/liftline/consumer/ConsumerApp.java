package io.liftline.consumer;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.liftline.broker.BrokerConnection;
import io.liftline.broker.Shards;
import io.liftline.consumer.amqp.RideConsumer;
import io.liftline.consumer.amqp.ShardCheck;
import io.liftline.consumer.config.ConsumerConfig;
import io.liftline.consumer.health.ConsumerMetrics;
import io.liftline.consumer.health.HealthServer;
import io.liftline.consumer.mongo.MongoRideSink;
import io.liftline.consumer.mongo.RideSink;
import io.liftline.service.AdminHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The consumer worker, assembled: store, broker connection, N competing consumers, metrics and health. */
public final class ConsumerApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConsumerApp.class);
    /** How long an operation waits for an unreachable MongoDB before it fails and the retry backs off. */
    private static final Duration STORE_SELECTION_TIMEOUT = Duration.ofSeconds(3);
    /**
     * How long a write may wait for the store's answer. The driver's default is forever: a hung store (a frozen
     * process, a black-holed network) would hold the batch, and the worker's readiness, without a sign.
     */
    private static final Duration STORE_READ_TIMEOUT = Duration.ofSeconds(10);
    /**
     * How often the driver checks the store it found down. Its default, 10 s, kept workers idle for up to 10 s after
     * a store restart in the fault suite (a hung or restarted store is noticed by these checks).
     */
    private static final Duration STORE_HEARTBEAT = Duration.ofSeconds(2);

    /**
     * How long a store step may wait before the worker says it is not ready. Healthy batches take milliseconds; a
     * hung store fails a write only at the read timeout, and the driver's retry of that write can take as long
     * again, so a worker whose batch began during a 15 s hang used to stay ready through all of it.
     */
    static final Duration STORE_STALL = Duration.ofSeconds(5);

    private static final Duration FIRST_RETRY = Duration.ofMillis(100);

    private final ConsumerConfig config;
    private final ConsumerMetrics metrics = new ConsumerMetrics();
    private final MongoClient mongo;
    private final RideSink store;
    private final BrokerConnection broker;
    private final BrokerConnection deadLetterBroker;
    private final Retry storeRetry;
    private final List<RideConsumer> consumers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AdminHandler admin;
    private HealthServer health;
    private final ShardCheck shardCheck;
    /** Why the last batch write failed, while writes are being retried; null once one succeeds. */
    private volatile String storeFailure;

    /** Majority, journaled; a replica set that cannot confirm within 10 s fails the batch, which is retried. */
    static final WriteConcern DEFAULT_WRITE_CONCERN =
            WriteConcern.MAJORITY.withJournal(true).withWTimeout(10, TimeUnit.SECONDS);

    private ConsumerApp(ConsumerConfig config, RideSink sink) {
        this.config = config;
        this.mongo = MongoClients.create(storeSettings(config.mongodbUri()));
        this.store = sink != null ? sink : new MongoRideSink(mongo, config.mongodbDatabase());
        this.broker = new BrokerConnection(
                config.amqpUri(),
                "liftline-consumer",
                BrokerConnection.Transport.SOCKET,
                BrokerConnection.DEFAULT_RETRY_INTERVAL,
                config.shards());
        // Dead-letter copies are the consumer's only publishes. On a connection of their own, a resource alarm
        // (which blocks publishing connections) cannot stall the acks that drain the backlog behind the alarm.
        this.deadLetterBroker = new BrokerConnection(
                config.amqpUri(),
                "liftline-consumer-dead-letters",
                BrokerConnection.Transport.SOCKET,
                BrokerConnection.DEFAULT_RETRY_INTERVAL,
                config.shards());
        this.shardCheck = new ShardCheck(broker, config.shards());
        metrics.shardsMismatch(() -> shardCheck.mismatch() == null ? 0 : 1);
        this.admin = new AdminHandler(this::unavailableReason, metrics); // liftline_ready, even with the admin port off
        this.storeRetry = storeRetry(config.storeRetryMaxBackoff(), metrics);
        storeRetry
                .getEventPublisher()
                .onRetry(event -> storeFailure = event.getLastThrowable() == null
                        ? "failing"
                        : BrokerConnection.describe(event.getLastThrowable()))
                .onSuccess(event -> storeFailure = null);
    }

    /**
     * The store client's settings: the URI's, with Liftline's timeouts, reads from the primary, and, unless the URI
     * sets one, its write concern.
     */
    static MongoClientSettings storeSettings(String mongodbUri) {
        ConnectionString uri = new ConnectionString(mongodbUri);
        return MongoClientSettings.builder()
                .applyConnectionString(uri)
                // A ride is acked to the broker once written: written must mean on a majority of a replica set,
                // on disk, or a failover could lose acked rides. The URI may ask otherwise (w=..., journal=...).
                .writeConcern(uri.getWriteConcern() != null ? uri.getWriteConcern() : DEFAULT_WRITE_CONCERN)
                // The worker reads back what it wrote (a duplicate's stored ride, ledgers, buckets, top lists, the
                // generation in use): from the primary, whatever the URI asks (one copied from the query API's
                // would send those reads to a secondary that may not have the write yet).
                .readPreference(ReadPreference.primary())
                .applyToClusterSettings(
                        c -> c.serverSelectionTimeout(STORE_SELECTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .applyToSocketSettings(s -> s.readTimeout((int) STORE_READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .applyToServerSettings(s -> s.heartbeatFrequency(STORE_HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS))
                .applicationName("liftline-consumer")
                .build();
    }

    /** Starts metrics and health, connects, creates the indexes, then starts the consumers. */
    public static ConsumerApp start(ConsumerConfig config) throws Exception {
        return start(config, null);
    }

    /** As {@link #start(ConsumerConfig)}, writing to the given sink instead of MongoDB (the benchmark's no-op store). */
    public static ConsumerApp start(ConsumerConfig config, RideSink sink) throws Exception {
        ConsumerApp app = new ConsumerApp(config, sink);
        if (config.adminPort() >= 0) {
            app.health = new HealthServer(config.adminBindAddress(), config.adminPort(), app.admin);
        }
        app.broker.start();
        app.deadLetterBroker.start();
        app.storeRetry.executeRunnable(app.store::createIndexes);
        Shards shards = config.shards();
        // Every shard this worker takes gets its own consumers: a shard without one would only grow.
        for (int shard : config.consumedShards()) {
            for (int i = 1; i <= config.consumers(); i++) {
                String name = shards.count() == 1 ? "consumer-" + i : "consumer-" + shard + "-" + i;
                RideConsumer consumer = new RideConsumer(
                        name,
                        shards.queue(shard),
                        app.broker,
                        app.deadLetterBroker,
                        app.store,
                        config,
                        app.metrics,
                        app.storeRetry);
                Thread thread = new Thread(consumer, name);
                app.consumers.add(consumer);
                app.threads.add(thread);
                thread.start();
            }
        }
        app.metrics.consumersSubscribed(
                () -> app.consumers.stream().filter(RideConsumer::isSubscribed).count(), app.consumers.size());
        app.shardCheck.start();
        log.info(
                "consumer started with {} consumers, metrics on port {} ({})",
                app.consumers.size(),
                app.health == null ? "off" : app.health.port(),
                config);
        return app;
    }

    /**
     * The one retry policy of store writes: every failure of a whole write (network, no primary, timeouts, write
     * concern) is retried with exponential backoff, without limit, while the batch stays unacked in the broker.
     * Failures of single documents never reach it: the store reports them, and they are dead-lettered.
     */
    private static Retry storeRetry(Duration maxBackoff, ConsumerMetrics metrics) {
        Retry retry = Retry.of(
                "store",
                RetryConfig.custom()
                        .maxAttempts(Integer.MAX_VALUE)
                        .intervalFunction(IntervalFunction.ofExponentialBackoff(FIRST_RETRY, 2.0, maxBackoff))
                        .retryOnException(e -> e instanceof RuntimeException)
                        .build());
        retry.getEventPublisher()
                .onRetry(event -> {
                    metrics.storeRetried();
                    if (event.getNumberOfRetryAttempts() == 1) {
                        log.warn(
                                "store write failed ({}); holding the batch unacked and retrying with backoff up to {} ms",
                                event.getLastThrowable() == null
                                        ? "?"
                                        : BrokerConnection.describe(event.getLastThrowable()),
                                maxBackoff.toMillis());
                    }
                })
                .onSuccess(
                        event -> log.info("store write succeeded after {} retries", event.getNumberOfRetryAttempts()));
        return retry;
    }

    /** Null when ready: connected to the broker, every consumer subscribed, and the store taking writes. */
    public String notReadyReason() {
        return admin.notReadyReason();
    }

    private String unavailableReason() {
        String broken = broker.unavailableReason();
        if (broken != null && !broker.isConnected()) {
            return broken;
        }
        String store = storeFailure;
        if (store != null) {
            return "store unavailable, holding batches and retrying (" + store + ")";
        }
        Duration waited = consumers.stream()
                .map(RideConsumer::storeWait)
                .max(Comparator.naturalOrder())
                .orElse(Duration.ZERO);
        if (waited.compareTo(STORE_STALL) >= 0) {
            return "store not answering: a write has waited " + waited.toSeconds() + " s";
        }
        long subscribed = consumers.stream().filter(RideConsumer::isSubscribed).count();
        if (subscribed < consumers.size() || consumers.isEmpty()) {
            return subscribed + " of " + consumers.size() + " consumers subscribed";
        }
        return shardCheck.mismatch();
    }

    public ConsumerMetrics metrics() {
        return metrics;
    }

    /** The metrics and health port, or -1 when off. */
    public int adminPort() {
        return health == null ? -1 : health.port();
    }

    /**
     * Stops in order: consumers cancel and finish the batch they hold (written and acked), within the shutdown
     * timeout; a consumer still stuck then (the store is down) is interrupted and its messages go back to the
     * queue unacked. Then the connections close.
     */
    @Override
    public void close() throws Exception {
        admin.stopAccepting();
        shardCheck.close();
        consumers.forEach(RideConsumer::stop);
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        for (Thread thread : threads) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        for (Thread thread : threads) {
            if (thread.isAlive()) {
                log.warn(
                        "{} did not finish within {} ms; its unacked messages return to the queue",
                        thread.getName(),
                        config.shutdownTimeout().toMillis());
                thread.interrupt();
                thread.join(2_000);
            }
        }
        broker.close();
        deadLetterBroker.close();
        mongo.close();
        if (health != null) {
            health.close();
        }
        log.info("consumer stopped");
    }
}
