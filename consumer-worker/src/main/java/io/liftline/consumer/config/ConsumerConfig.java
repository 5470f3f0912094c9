package io.liftline.consumer.config;

import static io.liftline.runtime.Setting.duration;
import static io.liftline.runtime.Setting.integer;

import io.liftline.broker.Shards;
import io.liftline.model.RideRanges;
import io.liftline.runtime.Checks;
import io.liftline.runtime.CommonSettings;
import io.liftline.runtime.ConfigSource;
import io.liftline.runtime.Setting;
import io.liftline.runtime.Settings;
import io.liftline.runtime.Values;
import io.liftline.service.RideSettings;
import java.time.Duration;
import java.util.List;

/**
 * The consumer's settings, immutable and validated. Each is declared once below ({@link #SETTINGS}: variable,
 * default, parser, check, meaning); {@link #from} reads them, {@code --help} lists them, {@link #toString} shows
 * them without secrets, and a test keeps docs/configuration.md equal to them. Build one through {@link #from} or
 * {@link #of} (the declared defaults, with some values set in code), which check every value.
 *
 * @param adminPort        the admin port (metrics and health); -1 when off, 0 picks a free port
 * @param adminBindAddress the interface the admin port binds to; null for all
 * @param consumers        consumers per consumed shard, each on its own channel
 * @param prefetch         unacked deliveries per consumer; at least a batch
 * @param shards           the ride queues, as the producers are given
 * @param consumedShards   the shards this worker consumes, each with {@code consumers} consumers
 */
public record ConsumerConfig(
        String amqpUri,
        String mongodbUri,
        String mongodbDatabase,
        int adminPort,
        String adminBindAddress,
        int consumers,
        int prefetch,
        int batchSize,
        Duration batchTimeout,
        Duration storeRetryMaxBackoff,
        Duration shutdownTimeout,
        RideRanges ranges,
        Shards shards,
        List<Integer> consumedShards) {

    public static final Setting<ConsumerConfig, String> AMQP_URI = CommonSettings.amqpUri(ConsumerConfig::amqpUri);
    public static final Setting<ConsumerConfig, String> MONGODB_URI =
            CommonSettings.mongodbUri(ConsumerConfig::mongodbUri);
    public static final Setting<ConsumerConfig, String> MONGODB_DATABASE = CommonSettings.mongodbDatabase(
                    ConsumerConfig::mongodbDatabase)
            .doc("the database: the rides, and the read model's summaries");
    /** The name every service uses; the consumer's old name is still read, with a warning. */
    public static final Setting<ConsumerConfig, Integer> ADMIN_PORT = integer(
                    "LIFTLINE_ADMIN_PORT", ConsumerConfig::adminPort)
            .byDefault(9091)
            .check(Checks.PORT)
            .formerly("LIFTLINE_METRICS_PORT")
            .shown(port -> port == -1 ? "off" : String.valueOf(port))
            .doc("/health/* and /metrics; -1 = off, 0 = a free port");

    public static final Setting<ConsumerConfig, String> ADMIN_BIND_ADDRESS =
            CommonSettings.adminBindAddress(ConsumerConfig::adminBindAddress);
    /**
     * Consumer threads per consumed shard, each with its own channel. Four, not two: the read model's shared documents
     * of the batches that wait are written together (a group commit), so more batches at once cost less per ride
     * (bench-consumer on the stand-in: 4 drained about a quarter faster than 2; 8 no faster than 4).
     */
    public static final Setting<ConsumerConfig, Integer> CONSUMERS = integer(
                    "LIFTLINE_CONSUMERS", ConsumerConfig::consumers)
            .byDefault(4)
            .check(Checks.POSITIVE)
            .doc("consumer threads (channels) per consumed shard");

    /**
     * Rides per MongoDB write, at most: a batch is cut after {@link #BATCH_TIMEOUT}, so this is how large batches grow
     * only where rides wait (a backlog, or a rate near what the worker can take). There the read model's shared
     * documents (a day's buckets, its top lists) are rewritten once per group of batches, whatever its size, so
     * larger batches drain faster: into the stand-in store, 2,000 against 500 drained 200,000 rides of never-seen
     * skiers 1.4-1.6 times as fast, of 26 rides a skier 1.1-1.25 times; 4,000 was no faster than 2,000, with twice
     * the prefetched memory (docs/performance.md).
     */
    public static final Setting<ConsumerConfig, Integer> BATCH_SIZE = integer(
                    "LIFTLINE_BATCH_SIZE", ConsumerConfig::batchSize)
            .byDefault(2000)
            .check(Checks.POSITIVE)
            .doc("rides per MongoDB write");
    /** Twice the batch: the next batch arrives while this one is written. */
    public static final Setting<ConsumerConfig, Integer> PREFETCH = integer(
                    "LIFTLINE_PREFETCH", ConsumerConfig::prefetch)
            .byDefault(null, "2 × batch size")
            .check(prefetch ->
                    prefetch > 65_535 ? "must be <= 65535 (an AMQP limit)" : Checks.POSITIVE.problem(prefetch))
            .doc("unacked messages per channel; at least a batch");

    public static final Setting<ConsumerConfig, Duration> BATCH_TIMEOUT = duration(
                    "LIFTLINE_BATCH_TIMEOUT", ConsumerConfig::batchTimeout)
            .byDefault(Duration.ofMillis(50))
            .check(Checks.POSITIVE_DURATION)
            .doc("longest a partial batch waits");
    /** Store retries back off exponentially from 100 ms up to this, for as long as the store is down. */
    public static final Setting<ConsumerConfig, Duration> STORE_RETRY_MAX_BACKOFF = duration(
                    "LIFTLINE_STORE_RETRY_MAX_BACKOFF", ConsumerConfig::storeRetryMaxBackoff)
            .byDefault(Duration.ofSeconds(5))
            .check(Checks.POSITIVE_DURATION)
            .doc("store retries back off up to this");

    public static final Setting<ConsumerConfig, Duration> SHUTDOWN_TIMEOUT = CommonSettings.shutdownTimeout(
                    ConsumerConfig::shutdownTimeout)
            .doc("graceful-stop budget: held batches are finished within it");
    public static final Setting<ConsumerConfig, RideRanges> RANGES =
            RideSettings.ranges(ConsumerConfig::ranges).doc("the ids a ride may carry; others are dead-lettered");
    /** Ride queues, as the producers are given; {@link #CONSUME_SHARDS} picks the ones this worker takes. */
    public static final Setting<ConsumerConfig, Integer> SHARDS =
            Shards.setting((ConsumerConfig c) -> c.shards().count());
    /** A subset of the shards for this worker, e.g. {@code 0,2}; unset: all. */
    public static final Setting<ConsumerConfig, String> CONSUME_SHARDS = Setting.text(
                    "LIFTLINE_CONSUME_SHARDS",
                    (ConsumerConfig c) ->
                            c.consumedShards().size() == c.shards().count()
                                    ? null
                                    : String.join(
                                            ",",
                                            c.consumedShards().stream()
                                                    .map(String::valueOf)
                                                    .toList()))
            .byDefault(null, "all")
            .doc("the shards this worker takes, e.g. 0,2");

    public static final Settings<ConsumerConfig> SETTINGS = Settings.of(
            AMQP_URI,
            MONGODB_URI,
            MONGODB_DATABASE,
            ADMIN_PORT,
            ADMIN_BIND_ADDRESS,
            CONSUMERS,
            BATCH_SIZE,
            PREFETCH,
            BATCH_TIMEOUT,
            STORE_RETRY_MAX_BACKOFF,
            SHUTDOWN_TIMEOUT,
            RANGES,
            SHARDS,
            CONSUME_SHARDS);

    /** Checks what no single setting can: a batch fills only from prefetched messages. */
    public ConsumerConfig {
        if (prefetch < batchSize) {
            throw new IllegalArgumentException(PREFETCH.variable() + " must be >= " + BATCH_SIZE.variable() + " ("
                    + batchSize + "), was " + prefetch + ": a batch can only fill from prefetched messages");
        }
        consumedShards = List.copyOf(consumedShards);
    }

    /** Reads every setting from flags and environment; fails with a message naming the setting at fault. */
    public static ConsumerConfig from(ConfigSource source) {
        SETTINGS.rejectUnknownFlags(source);
        return of(Values.from(source));
    }

    /** The config of these values, with the defaults that follow from others, each checked against its declaration. */
    /**
     * The config of these values ({@link Values#defaults()} with some set, in code), with the defaults that follow from
     * others, each checked against its declaration.
     */
    public static ConsumerConfig of(Values v) {
        // Each value is checked before the shards are built from it, so that the message names the setting.
        Shards queues = new Shards(SHARDS.requireValid(v.get(SHARDS)));
        int batchSize = v.get(BATCH_SIZE);
        Integer prefetch = v.get(PREFETCH);
        return SETTINGS.check(new ConsumerConfig(
                v.get(AMQP_URI),
                v.get(MONGODB_URI),
                v.get(MONGODB_DATABASE),
                v.get(ADMIN_PORT),
                v.get(ADMIN_BIND_ADDRESS),
                v.get(CONSUMERS),
                prefetch == null ? 2 * batchSize : prefetch,
                batchSize,
                v.get(BATCH_TIMEOUT),
                v.get(STORE_RETRY_MAX_BACKOFF),
                v.get(SHUTDOWN_TIMEOUT),
                v.get(RANGES),
                queues,
                queues.parseSubset(v.get(CONSUME_SHARDS))));
    }

    @Override
    public String toString() {
        return SETTINGS.describe("ConsumerConfig", this);
    }
}
