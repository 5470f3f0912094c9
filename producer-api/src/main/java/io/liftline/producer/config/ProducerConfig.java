package io.liftline.producer.config;

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
import io.liftline.service.edge.EdgeSettings;
import io.liftline.service.edge.Tls;
import java.time.Duration;

/**
 * The producer's settings, immutable and validated. Each is declared once below ({@link #SETTINGS}: variable,
 * default, parser, check, meaning); {@link #from} reads them, {@code --help} lists them, {@link #toString} shows
 * them without secrets, and a test keeps docs/configuration.md equal to them. Build one through {@link #from} or
 * {@link #of} (the declared defaults, with some values set in code), which check every value.
 *
 * @param edge            the public edge: ports (ingest 8080, HTTPS 8443, admin 9090), TLS, connection limits, API
 *                        keys (scope {@code ingest}) and the rate limit (rides/s)
 * @param shards          the ride queues rides are published to
 * @param holdMaxRequests requests that may wait for a lost broker connection to come back at once; 0 holds none
 * @param holdMaxBytes    the messages' bytes that may wait so at once
 * @param drainDelay      at shutdown, how long the producer keeps serving after readiness says DOWN
 */
public record ProducerConfig(
        String amqpUri,
        EdgeSettings edge,
        Duration publishTimeout,
        int holdMaxRequests,
        long holdMaxBytes,
        int channelPoolSize,
        Duration channelAcquireTimeout,
        int maxInFlightPerChannel,
        int maxBodyBytes,
        int maxBatchSize,
        int maxRideBodyBytes,
        Duration retryAfter,
        Duration drainDelay,
        RideRanges ranges,
        Shards shards) {

    /** The producer's default ports: ingest 8080, HTTPS 8443, admin 9090. */
    public static final EdgeSettings.Ports PORTS = new EdgeSettings.Ports(8080, 8443, 9090);
    /** The edge's port settings with the producer's defaults: to {@link Values#set} them in code. */
    public static final Setting<EdgeSettings, Integer> HTTP_PORT = EdgeSettings.httpPortOf(PORTS);

    public static final Setting<EdgeSettings, Integer> HTTPS_PORT = EdgeSettings.httpsPortOf(PORTS);
    public static final Setting<EdgeSettings, Integer> ADMIN_PORT = EdgeSettings.adminPortOf(PORTS);
    /**
     * The longest a request waits for its confirms, a lost connection's recovery included, before it is answered
     * 503. Five seconds rides through a node failover or a broker restart of a few seconds (the client reconnects
     * every second), and stays well inside a scanner's HTTP timeout (commonly 10 s or more).
     */
    public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(5);
    /** Every connection the edge accepts by default may wait for a reconnect, and a few hundred more. */
    public static final int DEFAULT_PUBLISH_HOLD_MAX_REQUESTS = 2_000;
    /** 16 MiB: a few thousand single rides, or a dozen full batches, within the default 160 MB heap. */
    public static final long DEFAULT_PUBLISH_HOLD_MAX_BYTES = 16L * 1024 * 1024;
    /**
     * Channels publish only while a request writes its messages, so a few serve hundreds of requests; fewer
     * channels carry more publishes each, which the broker confirms in larger multiple-acks (4 outran 8 and 16
     * in the producer benchmark).
     */
    public static final int DEFAULT_CHANNEL_POOL_SIZE = 4;
    /** Unconfirmed publishes one channel may carry; bounds the memory a slow broker can pin. */
    public static final int DEFAULT_MAX_IN_FLIGHT_PER_CHANNEL = 4_000;
    /** 1 MiB holds a 1,000-ride batch with 128-character event ids several times over. */
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    /** A single POST's useful body is about 25 bytes ({@code {"time":217,"liftID":21}}). */
    public static final int DEFAULT_MAX_RIDE_BODY_BYTES = 4 * 1024;
    /**
     * None: alone, a producer stops serving as soon as it is told to. Behind a load balancer, set the time the
     * balancer takes to see readiness DOWN (the shipped HAProxy: checks every 500 ms, down after 2, so 2s), and a
     * rolling restart costs no request.
     */
    public static final Duration DEFAULT_DRAIN_DELAY = Duration.ZERO;

    public static final Setting<ProducerConfig, String> AMQP_URI = CommonSettings.amqpUri(ProducerConfig::amqpUri);
    public static final Setting<ProducerConfig, Duration> PUBLISH_TIMEOUT = duration(
                    "LIFTLINE_PUBLISH_TIMEOUT", ProducerConfig::publishTimeout)
            .byDefault(DEFAULT_PUBLISH_TIMEOUT)
            .check(Checks.POSITIVE_DURATION)
            .doc("longest wait for confirms before a 503, a lost connection's reconnect included");
    public static final Setting<ProducerConfig, Integer> PUBLISH_HOLD_MAX_REQUESTS = integer(
                    "LIFTLINE_PUBLISH_HOLD_MAX_REQUESTS", ProducerConfig::holdMaxRequests)
            .byDefault(DEFAULT_PUBLISH_HOLD_MAX_REQUESTS)
            .check(Checks.NOT_NEGATIVE)
            .doc("requests that may wait for a lost connection at once; more get 503 at once; 0 = none wait");
    public static final Setting<ProducerConfig, Long> PUBLISH_HOLD_MAX_BYTES = Setting.longInteger(
                    "LIFTLINE_PUBLISH_HOLD_MAX_BYTES", ProducerConfig::holdMaxBytes)
            .byDefault(DEFAULT_PUBLISH_HOLD_MAX_BYTES)
            .check(Checks.NOT_NEGATIVE)
            .doc("bytes of messages that may wait so at once");
    public static final Setting<ProducerConfig, Integer> CHANNEL_POOL_SIZE = integer(
                    "LIFTLINE_CHANNEL_POOL_SIZE", ProducerConfig::channelPoolSize)
            .byDefault(DEFAULT_CHANNEL_POOL_SIZE)
            .check(Checks.POSITIVE)
            .doc("confirm channels on the one connection");
    public static final Setting<ProducerConfig, Duration> CHANNEL_ACQUIRE_TIMEOUT = duration(
                    "LIFTLINE_CHANNEL_ACQUIRE_TIMEOUT", ProducerConfig::channelAcquireTimeout)
            .byDefault(Duration.ofSeconds(1))
            .check(Checks.POSITIVE_DURATION)
            .doc("wait for a free channel before a 503");
    public static final Setting<ProducerConfig, Integer> MAX_IN_FLIGHT_PER_CHANNEL = integer(
                    "LIFTLINE_MAX_IN_FLIGHT_PER_CHANNEL", ProducerConfig::maxInFlightPerChannel)
            .byDefault(DEFAULT_MAX_IN_FLIGHT_PER_CHANNEL)
            .check(Checks.POSITIVE)
            .doc("unconfirmed publishes per channel");
    public static final Setting<ProducerConfig, Integer> MAX_BODY_BYTES = integer(
                    "LIFTLINE_MAX_BODY_BYTES", ProducerConfig::maxBodyBytes)
            .byDefault(DEFAULT_MAX_BODY_BYTES)
            .check(Checks.POSITIVE)
            .doc("larger batch bodies get 413");
    public static final Setting<ProducerConfig, Integer> MAX_BATCH_SIZE = integer(
                    "LIFTLINE_MAX_BATCH_SIZE", ProducerConfig::maxBatchSize)
            .byDefault(1_000)
            .check(Checks.POSITIVE)
            .doc("rides per POST /rides");
    public static final Setting<ProducerConfig, Integer> MAX_RIDE_BODY_BYTES = integer(
                    "LIFTLINE_MAX_RIDE_BODY_BYTES", ProducerConfig::maxRideBodyBytes)
            .byDefault(DEFAULT_MAX_RIDE_BODY_BYTES)
            .check(Checks.POSITIVE)
            .doc("single-ride bodies larger get 413");
    public static final Setting<ProducerConfig, Duration> RETRY_AFTER = duration(
                    "LIFTLINE_RETRY_AFTER", ProducerConfig::retryAfter)
            .byDefault(Duration.ofSeconds(1))
            .check(Checks.POSITIVE_DURATION)
            .doc("the Retry-After of a 503");
    public static final Setting<ProducerConfig, Duration> DRAIN_DELAY = duration(
                    "LIFTLINE_DRAIN_DELAY", ProducerConfig::drainDelay)
            .byDefault(DEFAULT_DRAIN_DELAY)
            .check(Checks.NOT_NEGATIVE_DURATION)
            .doc("on SIGTERM, readiness says DOWN and the producer serves this long more; behind HAProxy, 2s");
    public static final Setting<ProducerConfig, RideRanges> RANGES = RideSettings.ranges(ProducerConfig::ranges);
    /** Ride queues, a skier's rides always on one; the workers must be given the same count. */
    public static final Setting<ProducerConfig, Integer> SHARDS =
            Shards.setting((ProducerConfig c) -> c.shards().count());

    /** Every setting of the producer, its own and then its edge's. */
    public static final Settings<ProducerConfig> SETTINGS = Settings.of(
                    AMQP_URI,
                    PUBLISH_TIMEOUT,
                    PUBLISH_HOLD_MAX_REQUESTS,
                    PUBLISH_HOLD_MAX_BYTES,
                    CHANNEL_POOL_SIZE,
                    CHANNEL_ACQUIRE_TIMEOUT,
                    MAX_IN_FLIGHT_PER_CHANNEL,
                    MAX_BODY_BYTES,
                    MAX_BATCH_SIZE,
                    MAX_RIDE_BODY_BYTES,
                    RETRY_AFTER,
                    DRAIN_DELAY,
                    RANGES,
                    SHARDS)
            .and(EdgeSettings.settings(PORTS), ProducerConfig::edge);

    /** Reads every setting from flags and environment; fails with a message naming the setting at fault. */
    public static ProducerConfig from(ConfigSource source) {
        SETTINGS.rejectUnknownFlags(source);
        return of(Values.from(source));
    }

    /** The config of these values, each checked against its declaration. */
    /**
     * The config of these values ({@link Values#defaults()} with some set, in code), with the defaults that follow from
     * others, each checked against its declaration.
     */
    public static ProducerConfig of(Values v) {
        return SETTINGS.check(new ProducerConfig(
                v.get(AMQP_URI),
                EdgeSettings.of(v, PORTS),
                v.get(PUBLISH_TIMEOUT),
                v.get(PUBLISH_HOLD_MAX_REQUESTS),
                v.get(PUBLISH_HOLD_MAX_BYTES),
                v.get(CHANNEL_POOL_SIZE),
                v.get(CHANNEL_ACQUIRE_TIMEOUT),
                v.get(MAX_IN_FLIGHT_PER_CHANNEL),
                v.get(MAX_BODY_BYTES),
                v.get(MAX_BATCH_SIZE),
                v.get(MAX_RIDE_BODY_BYTES),
                v.get(RETRY_AFTER),
                v.get(DRAIN_DELAY),
                v.get(RANGES),
                new Shards(SHARDS.requireValid(v.get(SHARDS)))));
    }

    public int httpPort() {
        return edge.httpPort();
    }

    public int httpsPort() {
        return edge.httpsPort();
    }

    public int adminPort() {
        return edge.adminPort();
    }

    public Tls tls() {
        return edge.tls();
    }

    public double rateLimit() {
        return edge.rateLimit();
    }

    public int rateLimitBurst() {
        return edge.rateLimitBurst();
    }

    public Duration shutdownTimeout() {
        return edge.shutdownTimeout();
    }

    @Override
    public String toString() {
        return SETTINGS.describe("ProducerConfig", this);
    }
}
