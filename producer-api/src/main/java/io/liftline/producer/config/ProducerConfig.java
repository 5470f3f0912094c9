package io.liftline.producer.config;

import static io.liftline.config.Checks.positive;
import static io.liftline.config.Checks.required;

import io.liftline.config.Checks;
import io.liftline.config.ConfigSource;
import io.liftline.config.Secrets;
import io.liftline.model.RideRanges;
import java.time.Duration;
import java.util.List;

/**
 * The producer's settings, immutable and validated. Each comes from a {@code --flag}, a {@code LIFTLINE_*}
 * variable or its {@code DEFAULT_*}; see {@link #VARIABLES} and the README's configuration table.
 */
public final class ProducerConfig {

    public static final String DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/%2F";
    public static final int DEFAULT_HTTP_PORT = 8080;
    /** The longest a request waits for its confirms before it is answered 503. */
    public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Channels publish only while a request writes its messages, so a few serve hundreds of requests; fewer
     * channels carry more publishes each, which the broker confirms in larger multiple-acks (4 outran 8 and 16
     * in the producer benchmark).
     */
    public static final int DEFAULT_CHANNEL_POOL_SIZE = 4;
    public static final Duration DEFAULT_CHANNEL_ACQUIRE_TIMEOUT = Duration.ofSeconds(1);
    /** Unconfirmed publishes one channel may carry; bounds the memory a slow broker can pin. */
    public static final int DEFAULT_MAX_IN_FLIGHT_PER_CHANNEL = 4_000;
    /** 1 MiB holds a 1,000-ride batch with 128-character event ids several times over. */
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_BATCH_SIZE = 1_000;
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    public static final String AMQP_URI = "LIFTLINE_AMQP_URI";
    public static final String HTTP_PORT = "LIFTLINE_HTTP_PORT";
    public static final String PUBLISH_TIMEOUT = "LIFTLINE_PUBLISH_TIMEOUT";
    public static final String CHANNEL_POOL_SIZE = "LIFTLINE_CHANNEL_POOL_SIZE";
    public static final String CHANNEL_ACQUIRE_TIMEOUT = "LIFTLINE_CHANNEL_ACQUIRE_TIMEOUT";
    public static final String MAX_IN_FLIGHT_PER_CHANNEL = "LIFTLINE_MAX_IN_FLIGHT_PER_CHANNEL";
    public static final String MAX_BODY_BYTES = "LIFTLINE_MAX_BODY_BYTES";
    public static final String MAX_BATCH_SIZE = "LIFTLINE_MAX_BATCH_SIZE";
    public static final String RETRY_AFTER = "LIFTLINE_RETRY_AFTER";
    public static final String SHUTDOWN_TIMEOUT = "LIFTLINE_SHUTDOWN_TIMEOUT";
    public static final String RANGES = "LIFTLINE_RANGES";
    /** Unset: the ingest API is open to anyone who reaches it. */
    public static final String API_KEYS_FILE = "LIFTLINE_API_KEYS_FILE";

    public static final List<String> VARIABLES = List.of(AMQP_URI, HTTP_PORT, PUBLISH_TIMEOUT, CHANNEL_POOL_SIZE,
            CHANNEL_ACQUIRE_TIMEOUT, MAX_IN_FLIGHT_PER_CHANNEL, MAX_BODY_BYTES, MAX_BATCH_SIZE, RETRY_AFTER,
            SHUTDOWN_TIMEOUT, RANGES, API_KEYS_FILE);

    private final String amqpUri;
    private final int httpPort;
    private final Duration publishTimeout;
    private final int channelPoolSize;
    private final Duration channelAcquireTimeout;
    private final int maxInFlightPerChannel;
    private final int maxBodyBytes;
    private final int maxBatchSize;
    private final Duration retryAfter;
    private final Duration shutdownTimeout;
    private final RideRanges ranges;
    private final java.nio.file.Path apiKeysFile;

    private ProducerConfig(Builder b) {
        this.amqpUri = Checks.amqpUri(b.amqpUri, "amqpUri");
        this.httpPort = b.httpPort;
        this.publishTimeout = positive(b.publishTimeout, "publishTimeout");
        this.channelPoolSize = positive(b.channelPoolSize, "channelPoolSize");
        this.channelAcquireTimeout = positive(b.channelAcquireTimeout, "channelAcquireTimeout");
        this.maxInFlightPerChannel = positive(b.maxInFlightPerChannel, "maxInFlightPerChannel");
        this.maxBodyBytes = positive(b.maxBodyBytes, "maxBodyBytes");
        this.maxBatchSize = positive(b.maxBatchSize, "maxBatchSize");
        this.retryAfter = positive(b.retryAfter, "retryAfter");
        this.shutdownTimeout = positive(b.shutdownTimeout, "shutdownTimeout");
        this.ranges = b.ranges == null ? RideRanges.defaults() : b.ranges;
        this.apiKeysFile = b.apiKeysFile;
        if (httpPort < 0 || httpPort > 65_535) {
            throw new IllegalArgumentException("httpPort must be 0..65535 (0 picks a free port), was " + httpPort);
        }
    }

    /** Reads every setting from flags and environment; fails with a message naming the setting at fault. */
    public static ProducerConfig from(ConfigSource source) {
        source.rejectUnknownFlags(VARIABLES);
        return builder()
                .amqpUri(source.get(AMQP_URI, DEFAULT_AMQP_URI))
                .httpPort(source.getInt(HTTP_PORT, DEFAULT_HTTP_PORT))
                .publishTimeout(source.getDuration(PUBLISH_TIMEOUT, DEFAULT_PUBLISH_TIMEOUT))
                .channelPoolSize(source.getInt(CHANNEL_POOL_SIZE, DEFAULT_CHANNEL_POOL_SIZE))
                .channelAcquireTimeout(source.getDuration(CHANNEL_ACQUIRE_TIMEOUT, DEFAULT_CHANNEL_ACQUIRE_TIMEOUT))
                .maxInFlightPerChannel(source.getInt(MAX_IN_FLIGHT_PER_CHANNEL, DEFAULT_MAX_IN_FLIGHT_PER_CHANNEL))
                .maxBodyBytes(source.getInt(MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES))
                .maxBatchSize(source.getInt(MAX_BATCH_SIZE, DEFAULT_MAX_BATCH_SIZE))
                .retryAfter(source.getDuration(RETRY_AFTER, DEFAULT_RETRY_AFTER))
                .shutdownTimeout(source.getDuration(SHUTDOWN_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT))
                .ranges(RideRanges.parse(source.get(RANGES, null)))
                .apiKeysFile(source.get(API_KEYS_FILE, null) == null ? null : java.nio.file.Path.of(source.get(API_KEYS_FILE, null)))
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String amqpUri() {
        return amqpUri;
    }

    public int httpPort() {
        return httpPort;
    }

    public Duration publishTimeout() {
        return publishTimeout;
    }

    public int channelPoolSize() {
        return channelPoolSize;
    }

    public Duration channelAcquireTimeout() {
        return channelAcquireTimeout;
    }

    public int maxInFlightPerChannel() {
        return maxInFlightPerChannel;
    }

    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    public RideRanges ranges() {
        return ranges;
    }

    /** The API keys file, or null: no keys asked, anyone who reaches the port may post. */
    public java.nio.file.Path apiKeysFile() {
        return apiKeysFile;
    }

    @Override
    public String toString() {
        return "ProducerConfig{amqpUri=" + Secrets.maskUri(amqpUri) + ", httpPort=" + httpPort
                + ", publishTimeout=" + publishTimeout.toMillis() + "ms, channelPoolSize=" + channelPoolSize
                + ", channelAcquireTimeout=" + channelAcquireTimeout.toMillis() + "ms, maxInFlightPerChannel="
                + maxInFlightPerChannel + ", maxBodyBytes=" + maxBodyBytes + ", maxBatchSize=" + maxBatchSize
                + ", retryAfter=" + retryAfter.toSeconds() + "s, shutdownTimeout=" + shutdownTimeout.toMillis()
                + "ms, ranges=" + ranges + ", apiKeysFile=" + (apiKeysFile == null ? "none (open)" : apiKeysFile) + "}";
    }

    /** Builds a config from the defaults; tests set what they need. */
    public static final class Builder {
        private String amqpUri = DEFAULT_AMQP_URI;
        private int httpPort = DEFAULT_HTTP_PORT;
        private Duration publishTimeout = DEFAULT_PUBLISH_TIMEOUT;
        private int channelPoolSize = DEFAULT_CHANNEL_POOL_SIZE;
        private Duration channelAcquireTimeout = DEFAULT_CHANNEL_ACQUIRE_TIMEOUT;
        private int maxInFlightPerChannel = DEFAULT_MAX_IN_FLIGHT_PER_CHANNEL;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private Duration retryAfter = DEFAULT_RETRY_AFTER;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private RideRanges ranges;
        private java.nio.file.Path apiKeysFile;

        public Builder apiKeysFile(java.nio.file.Path v) {
            apiKeysFile = v;
            return this;
        }

        public Builder amqpUri(String v) {
            amqpUri = v;
            return this;
        }

        public Builder httpPort(int v) {
            httpPort = v;
            return this;
        }

        public Builder publishTimeout(Duration v) {
            publishTimeout = v;
            return this;
        }

        public Builder channelPoolSize(int v) {
            channelPoolSize = v;
            return this;
        }

        public Builder channelAcquireTimeout(Duration v) {
            channelAcquireTimeout = v;
            return this;
        }

        public Builder maxInFlightPerChannel(int v) {
            maxInFlightPerChannel = v;
            return this;
        }

        public Builder maxBodyBytes(int v) {
            maxBodyBytes = v;
            return this;
        }

        public Builder maxBatchSize(int v) {
            maxBatchSize = v;
            return this;
        }

        public Builder retryAfter(Duration v) {
            retryAfter = v;
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

        public ProducerConfig build() {
            return new ProducerConfig(this);
        }
    }
}
