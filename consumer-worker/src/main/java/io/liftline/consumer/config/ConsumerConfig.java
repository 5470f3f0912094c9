package io.liftline.consumer.config;

import static io.liftline.runtime.Checks.positive;
import static io.liftline.runtime.Checks.required;

import io.liftline.broker.Shards;
import io.liftline.model.RideRanges;
import io.liftline.runtime.Checks;
import io.liftline.runtime.ConfigSource;
import io.liftline.runtime.Secrets;
import java.time.Duration;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The consumer's settings, immutable and validated. Each comes from a {@code --flag}, a {@code LIFTLINE_*}
 * variable or its {@code DEFAULT_*}; see {@link #VARIABLES} and docs/configuration.md.
 *
 * @param metricsPort      the admin port (metrics and health); -1 when off, 0 picks a free port
 * @param adminBindAddress the interface the admin port binds to; null for all
 * @param consumers        consumers per consumed shard, each on its own channel
 * @param prefetch         unacked deliveries per consumer; at least a batch
 * @param shards           the ride queues, as the producers are given
 * @param consumedShards   the shards this worker consumes, each with {@code consumers} consumers
 */
public record ConsumerConfig(String amqpUri, String mongodbUri, String mongodbDatabase, int metricsPort,
                             String adminBindAddress, int consumers, int prefetch, int batchSize, Duration batchTimeout,
                             Duration storeRetryMaxBackoff, Duration shutdownTimeout, RideRanges ranges, Shards shards,
                             List<Integer> consumedShards) {

    public static final String DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/%2F";
    public static final String DEFAULT_MONGODB_URI = "mongodb://127.0.0.1:27017";
    public static final String DEFAULT_MONGODB_DATABASE = "liftline";
    /** 0 picks a free port, -1 turns the metrics and health endpoint off. */
    public static final int DEFAULT_METRICS_PORT = 9091;
    /** Consumer threads per process, each with its own channel. */
    public static final int DEFAULT_CONSUMERS = 2;
    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final Duration DEFAULT_BATCH_TIMEOUT = Duration.ofMillis(50);
    /** Store retries back off exponentially from 100 ms up to this, for as long as the store is down. */
    public static final Duration DEFAULT_STORE_RETRY_MAX_BACKOFF = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    public static final String AMQP_URI = "LIFTLINE_AMQP_URI";
    public static final String MONGODB_URI = "LIFTLINE_MONGODB_URI";
    public static final String MONGODB_DATABASE = "LIFTLINE_MONGODB_DATABASE";
    /** The consumer's admin port: metrics and health; the name every service uses. */
    public static final String ADMIN_PORT = "LIFTLINE_ADMIN_PORT";
    /** The admin port's old name, still read (with a warning) so that existing installations keep working. */
    public static final String METRICS_PORT = "LIFTLINE_METRICS_PORT";
    /** The interface the admin port binds to; unset: all. */
    public static final String ADMIN_BIND_ADDRESS = "LIFTLINE_ADMIN_BIND_ADDRESS";
    public static final String CONSUMERS = "LIFTLINE_CONSUMERS";
    public static final String PREFETCH = "LIFTLINE_PREFETCH";
    public static final String BATCH_SIZE = "LIFTLINE_BATCH_SIZE";
    public static final String BATCH_TIMEOUT = "LIFTLINE_BATCH_TIMEOUT";
    public static final String STORE_RETRY_MAX_BACKOFF = "LIFTLINE_STORE_RETRY_MAX_BACKOFF";
    public static final String SHUTDOWN_TIMEOUT = "LIFTLINE_SHUTDOWN_TIMEOUT";
    public static final String RANGES = "LIFTLINE_RANGES";
    /** Ride queues, as the producers are given; {@link #CONSUME_SHARDS} picks the ones this worker takes. */
    public static final String SHARDS = "LIFTLINE_SHARDS";
    /** A subset of the shards for this worker, e.g. {@code 0,2}; unset: all. */
    public static final String CONSUME_SHARDS = "LIFTLINE_CONSUME_SHARDS";

    public static final List<String> VARIABLES = List.of(AMQP_URI, MONGODB_URI, MONGODB_DATABASE, ADMIN_PORT, METRICS_PORT, ADMIN_BIND_ADDRESS,
            CONSUMERS, PREFETCH, BATCH_SIZE, BATCH_TIMEOUT, STORE_RETRY_MAX_BACKOFF, SHUTDOWN_TIMEOUT, RANGES, SHARDS, CONSUME_SHARDS);

    public ConsumerConfig {
        Checks.amqpUri(amqpUri, "amqpUri");
        required(mongodbUri, "mongodbUri");
        if (!mongodbUri.startsWith("mongodb://") && !mongodbUri.startsWith("mongodb+srv://")) {
            throw new IllegalArgumentException("mongodbUri must start with mongodb:// or mongodb+srv://, was "
                    + Secrets.maskUri(mongodbUri));
        }
        required(mongodbDatabase, "mongodbDatabase");
        if (metricsPort < -1 || metricsPort > 65_535) {
            throw new IllegalArgumentException("metricsPort must be -1 (off), 0 (any free port) or a port, was " + metricsPort);
        }
        positive(consumers, "consumers");
        positive(batchSize, "batchSize");
        positive(prefetch, "prefetch");
        if (prefetch < batchSize) {
            throw new IllegalArgumentException("prefetch must be >= batchSize (" + batchSize + "), was " + prefetch
                    + ": a batch can only fill from prefetched messages");
        }
        if (prefetch > 65_535) {
            throw new IllegalArgumentException("prefetch must be <= 65535 (an AMQP limit), was " + prefetch);
        }
        positive(batchTimeout, "batchTimeout");
        positive(storeRetryMaxBackoff, "storeRetryMaxBackoff");
        positive(shutdownTimeout, "shutdownTimeout");
        required(ranges, "ranges");
        required(shards, "shards");
        consumedShards = List.copyOf(consumedShards);
    }

    /** Reads every setting from flags and environment; fails with a message naming the setting at fault. */
    /** LIFTLINE_ADMIN_PORT, or its old name LIFTLINE_METRICS_PORT with a warning; both set and different: an error. */
    static int adminPort(ConfigSource source) {
        String now = source.get(ADMIN_PORT, null);
        String old = source.get(METRICS_PORT, null);
        if (old == null) {
            return source.getInt(ADMIN_PORT, DEFAULT_METRICS_PORT);
        }
        if (now != null && !now.strip().equals(old.strip())) {
            throw new IllegalArgumentException(ADMIN_PORT + " (" + now + ") and its old name " + METRICS_PORT + " (" + old
                    + ") disagree: set only " + ADMIN_PORT);
        }
        LoggerFactory.getLogger(ConsumerConfig.class).warn("{} (--metrics-port) is the old name of {} (--admin-port); it still "
                + "works, but rename it", METRICS_PORT, ADMIN_PORT);
        return source.getInt(now != null ? ADMIN_PORT : METRICS_PORT, DEFAULT_METRICS_PORT);
    }

    public static ConsumerConfig from(ConfigSource source) {
        source.rejectUnknownFlags(VARIABLES);
        String prefetch = source.get(PREFETCH, null);
        return builder()
                .amqpUri(source.get(AMQP_URI, DEFAULT_AMQP_URI))
                .mongodbUri(source.get(MONGODB_URI, DEFAULT_MONGODB_URI))
                .mongodbDatabase(source.get(MONGODB_DATABASE, DEFAULT_MONGODB_DATABASE))
                .metricsPort(adminPort(source))
                .adminBindAddress(source.get(ADMIN_BIND_ADDRESS, null))
                .shards(source.getInt(SHARDS, 1))
                .consumeShards(source.get(CONSUME_SHARDS, null))
                .consumers(source.getInt(CONSUMERS, DEFAULT_CONSUMERS))
                .prefetch(prefetch == null ? null : source.getInt(PREFETCH, 0))
                .batchSize(source.getInt(BATCH_SIZE, DEFAULT_BATCH_SIZE))
                .batchTimeout(source.getDuration(BATCH_TIMEOUT, DEFAULT_BATCH_TIMEOUT))
                .storeRetryMaxBackoff(source.getDuration(STORE_RETRY_MAX_BACKOFF, DEFAULT_STORE_RETRY_MAX_BACKOFF))
                .shutdownTimeout(source.getDuration(SHUTDOWN_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT))
                .ranges(RideRanges.parse(source.get(RANGES, null)))
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String toString() {
        return "ConsumerConfig{amqpUri=" + Secrets.maskUri(amqpUri) + ", mongodbUri=" + Secrets.maskUri(mongodbUri)
                + ", mongodbDatabase=" + mongodbDatabase + ", metricsPort=" + metricsPort
                + (adminBindAddress == null ? "" : ", adminBindAddress=" + adminBindAddress) + ", consumers=" + consumers
                + (shards.count() == 1 ? "" : ", shards=" + shards.count() + " (consuming " + consumedShards + ")")
                + ", prefetch=" + prefetch + ", batchSize=" + batchSize + ", batchTimeout=" + batchTimeout.toMillis()
                + "ms, storeRetryMaxBackoff=" + storeRetryMaxBackoff.toMillis() + "ms, shutdownTimeout="
                + shutdownTimeout.toMillis() + "ms, ranges=" + ranges + "}";
    }

    /** Builds a config from the defaults; tests set what they need. */
    public static final class Builder {
        private String amqpUri = DEFAULT_AMQP_URI;
        private String mongodbUri = DEFAULT_MONGODB_URI;
        private String mongodbDatabase = DEFAULT_MONGODB_DATABASE;
        private int metricsPort = DEFAULT_METRICS_PORT;
        private String adminBindAddress;
        private int shards = 1;
        private String consumeShards;
        private int consumers = DEFAULT_CONSUMERS;
        private Integer prefetch;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration batchTimeout = DEFAULT_BATCH_TIMEOUT;
        private Duration storeRetryMaxBackoff = DEFAULT_STORE_RETRY_MAX_BACKOFF;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private RideRanges ranges;

        public Builder shards(int v) {
            shards = v;
            return this;
        }

        /** A subset such as {@code 0,2}; null: every shard. */
        public Builder consumeShards(String v) {
            consumeShards = v;
            return this;
        }

        public Builder amqpUri(String v) {
            amqpUri = v;
            return this;
        }

        public Builder mongodbUri(String v) {
            mongodbUri = v;
            return this;
        }

        public Builder mongodbDatabase(String v) {
            mongodbDatabase = v;
            return this;
        }

        public Builder adminBindAddress(String v) {
            adminBindAddress = v;
            return this;
        }

        public Builder metricsPort(int v) {
            metricsPort = v;
            return this;
        }

        public Builder consumers(int v) {
            consumers = v;
            return this;
        }

        /** Null means twice the batch size. */
        public Builder prefetch(Integer v) {
            prefetch = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder batchTimeout(Duration v) {
            batchTimeout = v;
            return this;
        }

        public Builder storeRetryMaxBackoff(Duration v) {
            storeRetryMaxBackoff = v;
            return this;
        }

        public Builder shutdownTimeout(Duration v) {
            shutdownTimeout = v;
            return this;
        }

        public Builder ranges(RideRanges v) {
            ranges = v;
            return this;
        }

        /** Resolves the defaults that depend on other settings, then validates. */
        public ConsumerConfig build() {
            Shards queues = new Shards(shards);
            // Twice the batch: the next batch arrives while this one is written.
            return new ConsumerConfig(amqpUri, mongodbUri, mongodbDatabase, metricsPort, adminBindAddress, consumers,
                    prefetch == null ? 2 * batchSize : prefetch, batchSize, batchTimeout, storeRetryMaxBackoff,
                    shutdownTimeout, ranges == null ? RideRanges.defaults() : ranges, queues,
                    queues.parseSubset(consumeShards));
        }
    }
}
